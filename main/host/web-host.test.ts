import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AnyEvent } from '../../shared/contract';
import { FileGrants } from '../core/files/file-grants';
import type { Dispatch } from './dispatcher';
import { startWebHost, type WebHost } from './web-host';

let dir: string;
let host: WebHost;
let files: FileGrants;
const listeners = new Set<(e: AnyEvent) => void>();
const calls: unknown[] = [];

const dispatch: Dispatch = async (method, params) => {
  calls.push({ method, params });
  return { ok: true, value: { echoed: method } };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ef-web-'));
  const staticDir = join(dir, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>EdgeFleet</title>');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  files = new FileGrants(join(dir, 'uploads'));
  host = await startWebHost({
    dispatch,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    files,
    staticDir,
  });
});
afterAll(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function send(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const auth = () => ({ Authorization: `Bearer ${host.token}` });
const callBody = JSON.stringify({ method: 'models.list', params: {} });

describe('web host', () => {
  it('listens on 127.0.0.1 only, with a long random token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('refuses calls without the token (401) and with a wrong one', async () => {
    const before = calls.length;
    const none = await send('/api/call', { method: 'POST', body: callBody });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const wrong = await send('/api/call', {
      method: 'POST',
      body: callBody,
      headers: { Authorization: `Bearer ${host.token.slice(1)}x` },
    });
    expect(wrong.status).toBe(401);
    expect((await send('/')).status).toBe(401);
    expect(calls.length).toBe(before);
  });

  it('answers calls with the token and passes them to the dispatcher', async () => {
    const res = await send('/api/call', { method: 'POST', body: callBody, headers: auth() });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, value: { echoed: 'models.list' } });
    expect(calls.at(-1)).toEqual({ method: 'models.list', params: {} });
  });

  it('refuses a foreign Origin even with the token, and a foreign Host (DNS rebinding)', async () => {
    const before = calls.length;
    const foreign = await send('/api/call', {
      method: 'POST',
      body: callBody,
      headers: { ...auth(), Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const rebound = await send('/api/call', {
      method: 'POST',
      body: callBody,
      headers: { ...auth(), Host: `evil.example:${host.port}` },
    });
    expect(rebound.status).toBe(403);
    const own = await send('/api/call', {
      method: 'POST',
      body: callBody,
      headers: { ...auth(), Origin: host.origin },
    });
    expect(own.status).toBe(200);
    expect(calls.length).toBe(before + 1);
  });

  it('trades the URL token for an HttpOnly SameSite=Strict cookie and redirects to a clean URL', async () => {
    const res = await send(`/?token=${host.token}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await send('/', { headers: { Cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('EdgeFleet');
    expect((await send('/?token=wrong')).status).toBe(401);
  });

  it('rejects malformed call bodies with BAD_REQUEST', async () => {
    const res = await send('/api/call', { method: 'POST', body: '{nope', headers: auth() });
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('never serves files outside the UI folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await send(path, { headers: auth() });
      expect(res.body).not.toContain('do not serve');
    }
  });

  it('answers 400, not 500, to a malformed % in the path', async () => {
    for (const path of ['/%', '/%zz/index.html', '/assets/%E0%A4%A']) {
      const res = await send(path, { headers: auth() });
      expect(res.status).toBe(400);
      expect(res.body).toContain('Malformed URL');
    }
  });

  it('stages uploads and hands back an opaque file reference', async () => {
    const bytes = Buffer.from('pretend model bytes');
    const res = await send('/api/upload', {
      method: 'POST',
      body: bytes,
      headers: { ...auth(), 'x-edgefleet-file-name': encodeURIComponent('../../my model.onnx') },
    });
    const parsed = JSON.parse(res.body) as {
      ok: boolean;
      value: { fileRef: string; fileName: string; sizeBytes: number };
    };
    expect(parsed.ok).toBe(true);
    expect(parsed.value.fileRef).toMatch(/^f_[0-9a-f]{32}$/);
    expect(parsed.value.fileName).toBe('my model.onnx');
    expect(parsed.value.sizeBytes).toBe(bytes.length);
    const staged = files.resolve(parsed.value.fileRef);
    expect(staged.path.startsWith(join(dir, 'uploads'))).toBe(true);
    expect(readFileSync(staged.path).equals(bytes)).toBe(true);
  });

  it('stages a folder upload file by file under one reference, refusing paths that climb out', async () => {
    const upload = (name: string, group: string, body: string) =>
      send('/api/upload', {
        method: 'POST',
        body,
        headers: {
          ...auth(),
          'x-edgefleet-file-name': encodeURIComponent(name),
          'x-edgefleet-upload-group': group,
        },
      }).then((r) => JSON.parse(r.body) as { ok: boolean; value: { fileRef: string; sizeBytes: number } });
    const first = await upload('calib/x/001.npy', 'new', 'aaaa');
    expect(first.ok).toBe(true);
    const second = await upload('calib/y/002.npy', first.value.fileRef, 'bb');
    expect(second.value).toMatchObject({ fileRef: first.value.fileRef, sizeBytes: 6 });
    const folder = files.resolve(first.value.fileRef).path;
    expect(readFileSync(join(folder, 'calib', 'y', '002.npy'), 'utf8')).toBe('bb');
    const evil = await upload('../../escape.npy', first.value.fileRef, 'x');
    expect(evil).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('pushes events over the WebSocket only to authorized pages of its own origin', async () => {
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events`, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    expect(await refused({})).toBe(401);
    expect(await refused({ ...auth(), Origin: 'http://evil.example' })).toBe(403);

    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api/events`, {
      headers: { Cookie: `edgefleet_token=${host.token}`, Origin: host.origin },
    });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const received = new Promise<unknown>((resolve) =>
      ws.on('message', (data) => resolve(JSON.parse(String(data)))),
    );
    const event: AnyEvent = {
      name: 'job.progress',
      payload: { jobId: 'j_1', kind: 'models.import', phase: 'reading', percent: 5 },
    };
    for (const l of listeners) l(event);
    expect(await received).toEqual(event);
    ws.close();
  });
});
