import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServices, type Services } from '../core/services';
import { createDispatcher } from './dispatcher';
import { createHandlers } from './handlers';
import { startWebHost, type WebHost } from './web-host';

const defaultStaticDir = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export type WebConsole = { services: Services; host: WebHost; close(): Promise<void> };

/** Services + dispatcher + web host: what `npm start` runs where Electron cannot start. */
export async function startWebConsole(opts: {
  dataDir: string;
  port?: number;
  staticDir?: string;
}): Promise<WebConsole> {
  const staticDir = opts.staticDir ?? defaultStaticDir;
  if (!existsSync(staticDir)) {
    throw new Error(`The UI is not built (${staticDir} is missing). Run: npm run build:renderer`);
  }
  const services = createServices({ dataDir: opts.dataDir });
  try {
    const dispatch = createDispatcher(createHandlers(services, { kind: 'web' }), services.logger);
    const host = await startWebHost({
      dispatch,
      subscribe: (l) => services.jobs.subscribe(l),
      files: services.files,
      staticDir,
      port: opts.port,
    });
    return {
      services,
      host,
      async close() {
        await host.close();
        await services.close();
      },
    };
  } catch (err) {
    await services.close();
    throw err;
  }
}
