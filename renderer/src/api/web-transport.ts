import { pickedFileSchema, type AnyEvent, type PickedFile } from '../../../shared/contract';
import { uploadNameHeader, webPaths } from '../../../shared/bridge';
import { AppError, type ErrorCode } from '../../../shared/errors';
import { resultSchema, unwrap, type Result } from '../../../shared/result';
import { parseEvent } from './events';
import type { Transport } from './transport';

export type WebTransportOptions = {
  /** Origin of the web host; the page's own origin by default (the host serves the UI). */
  origin?: string;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  /** Reconnect delays of the event socket: starts at `minMs`, doubles up to `maxMs`. */
  backoff?: { minMs: number; maxMs: number };
  /** How long `eventsReady` waits for the socket before giving up (calls must never hang on it). */
  readyTimeoutMs?: number;
};

const reopenHint =
  'Reopen the URL printed in the terminal where the EdgeFleet web console was started (it contains ?token=…).';

function failure(code: ErrorCode, message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** Turns any HTTP answer of the web host into a Result envelope; never throws. */
async function readEnvelope(response: Response, what: string): Promise<Result<unknown>> {
  if (response.status === 401) {
    return failure('UNAUTHORIZED', `The web console session is missing or has expired. ${reopenHint}`);
  }
  if (response.status === 403) {
    return failure('FORBIDDEN', `The web console refused this request. ${reopenHint}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  // The host answers 200 with an envelope; accept an envelope on other statuses too (e.g. 413, 400).
  const parsed = resultSchema.safeParse(body);
  if (parsed.success) return parsed.data as Result<unknown>;
  return failure(
    'INTERNAL',
    `Unexpected answer from the web host for ${what} (HTTP ${response.status}). Please report it with the log file.`,
  );
}

function unreachable(origin: string, err: unknown): Result<never> {
  const why = err instanceof Error ? ` (${err.message})` : '';
  return failure(
    'INTERNAL',
    `Cannot reach the EdgeFleet web host at ${origin}${why}. Is it still running? Start it again and open the URL it prints.`,
  );
}

/** Opens the browser's file chooser for .onnx files; null when the user cancels. */
function chooseFile(accept: string): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.hidden = true;
    const done = (file: File | null) => {
      input.remove();
      resolve(file);
    };
    input.addEventListener('change', () => done(input.files?.[0] ?? null), { once: true });
    input.addEventListener('cancel', () => done(null), { once: true });
    document.body.append(input);
    input.click();
  });
}

export function createWebTransport(options: WebTransportOptions = {}): Transport {
  // globalThis rather than window: the same code runs under unit tests in Node (fetch and WebSocket exist).
  const origin = options.origin ?? globalThis.location.origin;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  const { minMs, maxMs } = options.backoff ?? { minMs: 500, maxMs: 10_000 };
  const readyTimeoutMs = options.readyTimeoutMs ?? 3_000;

  const listeners = new Set<(event: AnyEvent) => void>();
  let socket: WebSocket | null = null;
  let open = false;
  let delay = minMs;
  let readyWaiters: Array<() => void> = [];

  const eventsUrl = () => {
    const url = new URL(webPaths.events, origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  };

  // One socket for the page's lifetime, reopened with backoff when it drops (host restart, sleep).
  const connect = () => {
    if (socket) return;
    const ws = new Socket(eventsUrl());
    socket = ws;
    ws.addEventListener('open', () => {
      open = true;
      delay = minMs;
      for (const wake of readyWaiters) wake();
      readyWaiters = [];
    });
    ws.addEventListener('message', (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = parseEvent(raw);
      if (!event) return;
      for (const listener of [...listeners]) listener(event);
    });
    ws.addEventListener('close', () => {
      open = false;
      socket = null;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, maxMs);
    });
  };

  const post = async (path: string, init: RequestInit, what: string): Promise<Result<unknown>> => {
    let response: Response;
    try {
      response = await doFetch(new URL(path, origin), {
        method: 'POST',
        credentials: 'same-origin',
        ...init,
      });
    } catch (err) {
      return unreachable(origin, err);
    }
    return readEnvelope(response, what);
  };

  const uploadFile = async (file: File): Promise<PickedFile> => {
    const result = await post(
      webPaths.upload,
      {
        headers: {
          'content-type': 'application/octet-stream',
          [uploadNameHeader]: encodeURIComponent(file.name),
        },
        body: file,
      },
      'the upload',
    );
    const parsed = pickedFileSchema.safeParse(unwrap(result));
    if (!parsed.success) {
      throw new AppError('INTERNAL', 'Unexpected answer from the web host for the upload. Please report it.');
    }
    return parsed.data;
  };

  return {
    kind: 'web',
    invoke: (method, params) =>
      post(
        webPaths.call,
        { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, params }) },
        method,
      ),
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
      };
    },
    async pickModelFile() {
      const file = await chooseFile('.onnx');
      return file ? uploadFile(file) : null;
    },
    uploadFile,
    eventsReady() {
      connect();
      if (open) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, readyTimeoutMs);
        readyWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
