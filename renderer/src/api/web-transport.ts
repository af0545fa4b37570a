import { pickedFileSchema, type AnyEvent, type PickedFile } from '../../../shared/contract';
import { uploadGroupHeader, uploadNameHeader, webPaths } from '../../../shared/bridge';
import { AppError, type ErrorCode } from '../../../shared/errors';
import { resultSchema, unwrap, type Result } from '../../../shared/result';
import { parseEvent } from './events';
import type { Transport, UploadOptions } from './transport';

type WebTransportOptions = {
  /** Origin of the web host; the page's own origin by default (the host serves the UI). */
  origin?: string;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  /** Reconnect delays of the event socket: starts at `minMs`, doubles up to `maxMs`. */
  backoff?: { minMs: number; maxMs: number };
  /** How long `eventsReady` waits for the socket before giving up (calls must never hang on it). */
  readyTimeoutMs?: number;
};

/** Parallel requests of a folder upload after its first file. */
const uploadConcurrency = 4;

/** A single data file: stacked samples in one .npy (folders hold the rest). */
const dataFileAccept = '.npy';

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

/** Opens the browser's file chooser (a folder's files with `folder`); empty when the user cancels. */
function chooseFiles(accept: string, folder = false): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.hidden = true;
    if (folder) {
      input.webkitdirectory = true;
      input.multiple = true;
    }
    const done = (files: File[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done([...(input.files ?? [])]), { once: true });
    input.addEventListener('cancel', () => done([]), { once: true });
    document.body.append(input);
    input.click();
  });
}

/**
 * The path a folder upload sends for a file: relative to the chosen folder ("001.npy", "input_a/001.npy").
 * The browser's webkitRelativePath starts with the folder's own name; the host stages the files under the
 * folder reference's root, which the data reader reads as the folder itself, so that first segment goes.
 */
function relativeUploadPath(file: File): string {
  const parts = (file.webkitRelativePath || file.name).split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : (parts[0] ?? file.name);
}

/** Dot files and anything inside dot folders (.DS_Store, .git/…): never samples, so never uploaded. */
function isHidden(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.'));
}

function cancelledUpload(): AppError {
  return new AppError('CANCELLED', 'Upload cancelled. Nothing was run.');
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

  const sendUpload = async (
    file: File,
    name: string,
    group: string | undefined,
    signal?: AbortSignal,
  ): Promise<PickedFile> => {
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      [uploadNameHeader]: encodeURIComponent(name),
    };
    if (group !== undefined) headers[uploadGroupHeader] = group;
    const result = await post(webPaths.upload, { headers, body: file, signal }, 'the upload');
    if (signal?.aborted) throw cancelledUpload();
    const parsed = pickedFileSchema.safeParse(unwrap(result));
    if (!parsed.success) {
      throw new AppError('INTERNAL', 'Unexpected answer from the web host for the upload. Please report it.');
    }
    return parsed.data;
  };

  const uploadFile = (file: File): Promise<PickedFile> => sendUpload(file, file.name, undefined);

  // The first file opens the folder on the host; the rest go to it a few at a time (many small samples are
  // dominated by request latency, not bytes).
  const uploadFolder = async (files: readonly File[], opts: UploadOptions = {}): Promise<PickedFile> => {
    const { onProgress, signal } = opts;
    const sendable = files.filter((file) => !isHidden(relativeUploadPath(file)));
    const [first, ...rest] = sendable;
    if (!first) {
      throw new AppError(
        'DATA_EMPTY',
        'The chosen folder holds no files (hidden files are skipped). Choose the folder that holds the samples.',
      );
    }
    const bytesTotal = sendable.reduce((sum, file) => sum + file.size, 0);
    const progress = { filesSent: 0, filesTotal: sendable.length, bytesSent: 0, bytesTotal };
    const sent = (file: File) => {
      progress.filesSent += 1;
      progress.bytesSent += file.size;
      onProgress?.({ ...progress });
    };
    onProgress?.({ ...progress });
    if (signal?.aborted) throw cancelledUpload();
    let folder = await sendUpload(first, relativeUploadPath(first), 'new', signal);
    sent(first);
    let next = 0;
    let failed = false;
    const worker = async () => {
      try {
        while (next < rest.length && !failed) {
          if (signal?.aborted) throw cancelledUpload();
          const file = rest[next++];
          if (!file) return;
          const answer = await sendUpload(file, relativeUploadPath(file), folder.fileRef, signal);
          // Answers carry the folder's growing size; keep the largest (requests may finish out of order).
          if (answer.sizeBytes > folder.sizeBytes) folder = answer;
          sent(file);
        }
      } catch (err) {
        // One failure ends the upload: the other workers stop at their next file.
        failed = true;
        throw err;
      }
    };
    await Promise.all(Array.from({ length: Math.min(uploadConcurrency, rest.length) }, worker));
    return folder;
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
      const [file] = await chooseFiles('.onnx');
      return file ? uploadFile(file) : null;
    },
    async pickData(kind, opts) {
      if (kind === 'folder') {
        const files = await chooseFiles('', true);
        return files.length > 0 ? uploadFolder(files, opts) : null;
      }
      const [file] = await chooseFiles(dataFileAccept);
      return file ? uploadFile(file) : null;
    },
    uploadFile,
    uploadFolder,
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
