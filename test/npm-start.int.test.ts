import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'ef-start-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('npm start', () => {
  it('builds, finds no Electron display, and serves the web console behind its token', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, EDGEFLEET_HOME: home };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env, detached: true });
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 150 s:\n${output}`)), 150_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
      });
      expect(output).toContain('Starting the web console instead');
      const base = url.slice(0, url.indexOf('/?token='));
      expect((await fetch(`${base}/`)).status).toBe(401);
      const token = url.slice(url.indexOf('token=') + 6);
      const res = await fetch(`${base}/api/call`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'app.info', params: {} }),
      });
      expect(await res.json()).toMatchObject({ ok: true, value: { shell: 'web', dataDir: home } });
    } finally {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }
  }, 180_000);
});
