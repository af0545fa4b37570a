#!/usr/bin/env node
// The `edgefleet` command runs the CLI bundle (dist/cli/main.js, built by `npm ci`'s prepare script and by
// `npm run build`), so no TypeScript is transpiled at start. In a checkout whose sources changed since the
// bundle was built, it rebuilds the bundle first (about a second), so the command never runs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli', 'main.js');
const sourceDirs = ['main', 'shared'].map((d) => join(root, d));

/** The newest modification time under the source folders (stops early once one is newer than `than`). */
function newerSource(dir, than) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (newerSource(path, than)) return true;
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.test.ts') &&
      statSync(path).mtimeMs > than
    ) {
      return true;
    }
  }
  return false;
}

function isStale() {
  if (!existsSync(bundle)) return true;
  // An installed package has no sources beside it: nothing to compare with.
  if (!sourceDirs.every((d) => existsSync(d))) return false;
  const built = statSync(bundle).mtimeMs;
  if (statSync(join(root, 'scripts', 'build-main.js')).mtimeMs > built) return true;
  return sourceDirs.some((d) => newerSource(d, built));
}

if (isStale()) {
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
