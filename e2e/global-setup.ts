import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Each test starts its own web console from the bundle (dist/web/web-main.js, 0.7 s) rather than through tsx
 * (2 s, and its optimize workers transpiled again each run): built once here from the current sources, so a
 * run never tests a stale bundle.
 */
export default function buildWebConsole(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/build-main.js', 'web'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the web console bundle failed:\n${r.stderr}`);
}
