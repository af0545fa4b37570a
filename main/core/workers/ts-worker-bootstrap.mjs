// Runs a TypeScript worker entry from source (tests, `npm run web`, the CLI): registers tsx in this worker first.
// Bundled builds start their compiled worker file directly and never load this.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__entry);
