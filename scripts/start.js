// `npm start`: build, then open the desktop app; where Electron cannot start (no display, or its binary cannot
// be downloaded), serve the same UI and services as the web console on 127.0.0.1 instead.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  if (process.env.EDGEFLEET_WEB === '1') return { reason: 'EDGEFLEET_WEB=1' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  }
  // Resolving the electron package downloads its binary on first use; that fails without internet.
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("electron"))'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: process.cwd(),
  });
  if (r.status !== 0 || !r.stdout) {
    const why =
      (r.stderr || '')
        .trim()
        .split('\n')
        .find((l) => /error/i.test(l)) ?? 'unknown error';
    return { reason: `the Electron binary is not available (${why})` };
  }
  return { path: r.stdout };
}

function forward(child) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

// vite's package exports do not expose its CLI file, so it is run from its folder.
run(process.execPath, [
  join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'),
  'build',
  '--logLevel',
  'warn',
]);
run(process.execPath, ['scripts/build-main.js']);

const electron = electronBinary();
if (electron.path) {
  forward(spawn(electron.path, ['.', ...args], { stdio: 'inherit' }));
} else {
  console.log(`Electron cannot start here: ${electron.reason}. Starting the web console instead.`);
  forward(spawn(process.execPath, ['dist/web/web-main.js', ...args], { stdio: 'inherit' }));
}
