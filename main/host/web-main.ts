import { parseArgs } from 'node:util';
import { resolveDataDir } from '../core/data-dir';
import { startWebConsole } from './start-web-console';

/** `npm run web` / fallback of `npm start`: serves the app on 127.0.0.1 until Ctrl-C. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid --port ${values.port}: give a number from 0 (any free port) to 65535.`);
    process.exit(2);
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const app = await startWebConsole({ dataDir, port });
  console.log(`EdgeFleet web console (data: ${dataDir})`);
  console.log(`Open: ${app.host.url}`);
  console.log('Press Ctrl-C to stop.');

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
