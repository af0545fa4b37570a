// Bundles the Node side for the Electron shell and the web console. Node modules stay external: the packaged
// app ships them (native ones rebuilt for Electron by electron-builder).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

const esm = (entry, outfile) => build({ ...common, format: 'esm', entryPoints: [entry], outfile });

// Worker threads start from files beside the bundle that starts them (main/core/workers/start-worker.ts).
const workers = { 'optimize-worker': 'main/core/optimize/optimize-worker.ts' };

await Promise.all([
  esm('main/electron/main.ts', 'dist/electron/main.js'),
  esm('main/host/web-main.ts', 'dist/web/web-main.js'),
  ...Object.entries(workers).flatMap(([name, entry]) => [
    esm(entry, `dist/electron/${name}.js`),
    esm(entry, `dist/web/${name}.js`),
  ]),
  // A sandboxed preload must be one CommonJS file that requires nothing but electron.
  build({
    ...common,
    packages: undefined,
    external: ['electron'],
    format: 'cjs',
    entryPoints: ['main/preload/preload.ts'],
    outfile: 'dist/electron/preload.cjs',
  }),
]);
