// First: configures zod before any schema is built (see the module).
import './zod-config';
import '@mantine/core/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { createClient, createTransport } from './api/client';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');

createRoot(root).render(
  <StrictMode>
    <App client={createClient(createTransport())} />
  </StrictMode>,
);
