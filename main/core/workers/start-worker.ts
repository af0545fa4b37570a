import { Worker } from 'node:worker_threads';

const fromSource = import.meta.url.endsWith('.ts');

/**
 * Starts a worker thread: from its TypeScript source when running from source (tests, the CLI, `npm run web`),
 * else the bundled `<name>.js` beside the running bundle (scripts/build-main.js writes one per entry point).
 */
export function startWorker(name: string, sourceUrl: URL): Worker {
  if (fromSource) {
    return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), {
      workerData: { __entry: sourceUrl.href },
    });
  }
  return new Worker(new URL(`./${name}.js`, import.meta.url));
}
