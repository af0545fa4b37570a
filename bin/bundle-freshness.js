// Whether the CLI bundle is older than the sources it was built from (bin/edgefleet.js rebuilds it then).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time under `dir` (stops early once one is newer than `than`). */
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

/**
 * True when `<root>/dist/cli/main.js` is missing, or older than the build script or a source it was built from.
 * The build lists those sources in `dist/cli/sources.json`: only they are checked (a new file matters once one
 * of them imports it, and then that one is newer). Without the list, every non-test `.ts` under main/ and
 * shared/ is. An installed package (no sources beside it) is never stale.
 */
export function bundleIsStale(root) {
  const bundle = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(bundle)) return true;
  const sourceDirs = ['main', 'shared'].map((d) => join(root, d));
  if (!sourceDirs.every((d) => existsSync(d))) return false;
  const built = statSync(bundle).mtimeMs;
  if (statSync(join(root, 'scripts', 'build-main.js')).mtimeMs > built) return true;
  let sources;
  try {
    sources = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'sources.json'), 'utf8'));
  } catch {
    return sourceDirs.some((d) => newerSource(d, built));
  }
  return sources.some((file) => {
    try {
      return statSync(join(root, file)).mtimeMs > built;
    } catch {
      return true;
    }
  });
}
