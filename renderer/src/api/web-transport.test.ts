import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../shared/contract';
import { createWebTransport } from './web-transport';

const origin = 'http://127.0.0.1:4321';

function fakeFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = input.toString();
    requests.push({ url, init });
    return answer(url, init);
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

/** Just enough of a WebSocket for the transport: listeners, and hooks for the test to drive it. */
class FakeSocket extends EventTarget {
  static instances: FakeSocket[] = [];
  constructor(readonly url: string) {
    super();
    FakeSocket.instances.push(this);
  }
  open() {
    this.dispatchEvent(new Event('open'));
  }
  receive(data: unknown) {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(data) }));
  }
  drop() {
    this.dispatchEvent(new Event('close'));
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('web transport', () => {
  it('posts calls as JSON with same-origin credentials and returns the envelope', async () => {
    const { fetch, requests } = fakeFetch(() => json({ ok: true, value: [] }));
    const transport = createWebTransport({ origin, fetch });
    await expect(transport.invoke('models.list', {})).resolves.toEqual({ ok: true, value: [] });
    expect(requests[0]?.url).toBe(`${origin}/api/call`);
    expect(requests[0]?.init.credentials).toBe('same-origin');
    expect(JSON.parse(String(requests[0]?.init.body))).toEqual({ method: 'models.list', params: {} });
  });

  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'FORBIDDEN'],
  ])('turns HTTP %i into %s with a hint to reopen the URL', async (status, code) => {
    const { fetch } = fakeFetch(() => new Response('no', { status }));
    const result = await createWebTransport({ origin, fetch }).invoke('models.list', {});
    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(!result.ok && result.error.message).toMatch(/terminal/);
  });

  it('reports an unreachable host or a garbled answer as INTERNAL instead of throwing', async () => {
    const down = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const r1 = await createWebTransport({ origin, fetch: down.fetch }).invoke('models.list', {});
    expect(r1).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    const garbled = fakeFetch(() => new Response('<html>', { status: 502 }));
    const r2 = await createWebTransport({ origin, fetch: garbled.fetch }).invoke('models.list', {});
    expect(r2).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('uploads raw bytes with the encoded file name and validates the answer', async () => {
    const picked = { fileRef: `f_${'a'.repeat(32)}`, fileName: 'my model.onnx', sizeBytes: 3 };
    const { fetch, requests } = fakeFetch(() => json({ ok: true, value: picked }));
    const transport = createWebTransport({ origin, fetch });
    const file = new File([new Uint8Array([1, 2, 3])], 'my model.onnx');
    await expect(transport.uploadFile?.(file)).resolves.toEqual(picked);
    const headers = new Headers(requests[0]?.init.headers);
    expect(requests[0]?.url).toBe(`${origin}/api/upload`);
    expect(headers.get('x-edgefleet-file-name')).toBe('my%20model.onnx');
    expect(headers.get('content-type')).toBe('application/octet-stream');
  });

  it('uploads a folder: the first file opens it, the rest join it, progress counts files', async () => {
    const ref = `f_${'b'.repeat(32)}`;
    let size = 0;
    const { fetch, requests } = fakeFetch((_url, init) => {
      size += (init.body as File).size;
      return json({ ok: true, value: { fileRef: ref, fileName: 'calib', sizeBytes: size } });
    });
    const transport = createWebTransport({ origin, fetch });
    const inFolder = (name: string, bytes: number) => {
      const file = new File([new Uint8Array(bytes)], name.split('/').at(-1) ?? name);
      Object.defineProperty(file, 'webkitRelativePath', { value: name });
      return file;
    };
    const files = [
      inFolder('calib/000.npy', 3),
      inFolder('calib/.DS_Store', 100),
      inFolder('calib/001 b.npy', 4),
      inFolder('calib/002.npy', 5),
      inFolder('calib/.git/HEAD', 9),
    ];
    const progress: Array<[number, number]> = [];
    const folder = await transport.uploadFolder?.(files, {
      onProgress: (p) => progress.push([p.filesSent, p.filesTotal]),
    });
    expect(folder).toEqual({ fileRef: ref, fileName: 'calib', sizeBytes: 12 });
    const sent = requests.map((r) => new Headers(r.init.headers));
    // Relative to the chosen folder: the host's folder reference is that folder.
    expect(sent.map((h) => h.get('x-edgefleet-file-name'))).toEqual(['000.npy', '001%20b.npy', '002.npy']);
    expect(sent.map((h) => h.get('x-edgefleet-upload-group'))).toEqual(['new', ref, ref]);
    expect(progress.at(0)).toEqual([0, 3]);
    expect(progress.at(-1)).toEqual([3, 3]);
  });

  it('refuses an empty folder, and stops a folder upload when cancelled', async () => {
    const { fetch, requests } = fakeFetch(() =>
      json({ ok: true, value: { fileRef: `f_${'c'.repeat(32)}`, fileName: 'd', sizeBytes: 1 } }),
    );
    const transport = createWebTransport({ origin, fetch });
    await expect(transport.uploadFolder?.([])).rejects.toMatchObject({ code: 'DATA_EMPTY' });
    const stop = new AbortController();
    stop.abort();
    const files = [new File(['a'], 'a.npy'), new File(['b'], 'b.npy')];
    await expect(transport.uploadFolder?.(files, { signal: stop.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(requests).toHaveLength(0);
  });

  it('delivers valid events, ignores unknown ones, and reconnects after a drop', async () => {
    FakeSocket.instances = [];
    const transport = createWebTransport({
      origin,
      fetch: fakeFetch(() => json({})).fetch,
      WebSocket: FakeSocket as unknown as typeof WebSocket,
      backoff: { minMs: 1, maxMs: 2 },
    });
    const seen: AnyEvent[] = [];
    transport.subscribe((event) => seen.push(event));
    const ready = transport.eventsReady?.();
    const first = FakeSocket.instances[0];
    expect(first?.url).toBe('ws://127.0.0.1:4321/api/events');
    first?.open();
    await ready;
    first?.receive({ name: 'job.progress', payload: { jobId: 'j', kind: 'k', phase: 'p', percent: 5 } });
    first?.receive({ name: 'something.new', payload: {} });
    first?.receive({ name: 'job.progress', payload: { jobId: 'j' } });
    expect(seen).toHaveLength(1);
    first?.drop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(FakeSocket.instances).toHaveLength(2);
  });
});
