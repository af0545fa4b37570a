import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { HashRouter, Navigate, Route, Routes } from 'react-router';
import type { Client } from '../api/client';
import { ClientProvider } from '../api/client-context';
import { NotBuilt } from '../components/not-built';
import { FleetPage } from '../features/fleet/fleet-page';
import { ModelDetailPage } from '../features/models/model-detail-page';
import { ModelsPage } from '../features/models/models-page';
import { OptimizePage } from '../features/optimize/optimize-page';
import { BenchPage } from '../features/bench/bench-page';
import { DeployPage } from '../features/deploy/deploy-page';
import { HistoryPage } from '../features/history/history-page';
import { AppLayout } from './app-layout';
import { sections } from './sections';
import { theme } from './theme';

function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Main is local and the data only changes through this UI or the CLI: no refetch storms on focus,
      // and contract errors (AppError) are final, so retrying them only delays the message.
      queries: { retry: false, refetchOnWindowFocus: true, staleTime: 5_000 },
      mutations: { retry: false },
    },
  });
}

export function App({ client }: { client: Client }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <ClientProvider client={client}>
          {/* HashRouter: Electron loads the UI from file://, where path routing cannot work. */}
          <HashRouter>
            <Routes>
              <Route element={<AppLayout />}>
                <Route index element={<Navigate to="/models" replace />} />
                <Route path="models" element={<ModelsPage />} />
                <Route path="models/:id" element={<ModelDetailPage />} />
                <Route path="optimize" element={<OptimizePage />} />
                <Route path="benchmark" element={<BenchPage />} />
                <Route path="fleet" element={<FleetPage />} />
                <Route path="deploy" element={<DeployPage />} />
                <Route path="history" element={<HistoryPage />} />
                {sections
                  .filter((section) => !section.built)
                  .map((section) => (
                    <Route key={section.path} path={section.path} element={<NotBuilt section={section} />} />
                  ))}
                <Route path="*" element={<Navigate to="/models" replace />} />
              </Route>
            </Routes>
          </HashRouter>
        </ClientProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
