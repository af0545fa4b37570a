#!/usr/bin/env node
// The `edgefleet` command runs the CLI bundle (dist/cli/main.js, built by `npm ci`'s prepare script and by
// `npm run build`), so no TypeScript is transpiled at start. In a checkout whose sources changed since the
// bundle was built, it rebuilds the bundle first (about a second), so the command never runs stale code.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleIsStale } from './bundle-freshness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli', 'main.js');

if (bundleIsStale(root)) {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-main.js'), 'cli'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write(
      'error INTERNAL: the CLI bundle could not be built. Run `npm run build:cli` to see why.\n',
    );
    process.exit(3);
  }
}

try {
  await import(pathToFileURL(bundle).href);
} catch (err) {
  // A native module that fails while the bundle loads (an eagerly loaded one) gets the CLI's one-line form.
  if (err && err.code === 'NATIVE_MODULE_UNAVAILABLE') {
    process.stderr.write(`error ${err.code}: ${err.message}\n`);
    process.exit(3);
  }
  throw err;
}
