import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { tokenCookieName, uploadGroupHeader, uploadNameHeader, webPaths } from '../../shared/bridge';
import type { AnyEvent } from '../../shared/contract';
import { AppError, toAppError } from '../../shared/errors';
import { fail, ok } from '../../shared/result';
import type { FileGrants } from '../core/files/file-grants';
import type { Dispatch } from './dispatcher';

type WebHostOptions = {
  dispatch: Dispatch;
  subscribe: (listener: (event: AnyEvent) => void) => () => void;
  files: FileGrants;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  port?: number;
  token?: string;
};

export type WebHost = { url: string; origin: string; port: number; token: string; close(): Promise<void> };

const maxCallBody = 1024 * 1024;
const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The web console: the same renderer and services as the desktop app, on 127.0.0.1 only. A random per-launch
 * token (opened once as `/?token=…`, then an HttpOnly SameSite=Strict cookie, or a Bearer header for scripts)
 * guards everything; Host and Origin checks stop DNS rebinding and cross-site requests.
 */
export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = new Set([origin, `http://localhost:${port}`]);

  const tokenMatches = (candidate: string | undefined) => {
    if (!candidate) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };

  /** null when allowed, else the status to refuse with. */
  const refusal = (req: IncomingMessage): 401 | 403 | null => {
    if (!allowedHosts.has(req.headers.host ?? '')) return 403;
    const reqOrigin = req.headers.origin;
    if (reqOrigin !== undefined && !allowedOrigins.has(reqOrigin)) return 403;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return tokenMatches(bearer) || tokenMatches(readCookie(req, tokenCookieName)) ? null : 401;
  };

  const unsubscribe = opts.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  server.on('request', (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, fail(toAppError(err)));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const queryToken = url.searchParams.get('token');
    if (req.method === 'GET' && queryToken !== null && allowedHosts.has(req.headers.host ?? '')) {
      if (!tokenMatches(queryToken))
        return sendText(res, 401, 'Wrong token. Open the URL printed by EdgeFleet.');
      url.searchParams.delete('token');
      res.writeHead(302, {
        ...securityHeaders,
        'Set-Cookie': `${tokenCookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
      });
      return void res.end();
    }
    const refused = refusal(req);
    if (refused === 401) {
      return url.pathname.startsWith('/api/')
        ? sendJson(
            res,
            401,
            fail(new AppError('UNAUTHORIZED', 'Missing or wrong token. Open the URL printed by EdgeFleet.')),
          )
        : sendText(
            res,
            401,
            'EdgeFleet web console: open the URL with the token that EdgeFleet printed at start-up.',
          );
    }
    if (refused === 403) {
      return sendJson(
        res,
        403,
        fail(new AppError('FORBIDDEN', 'Requests from other sites or hosts are refused.')),
      );
    }

    if (url.pathname === webPaths.call) {
      if (req.method !== 'POST') return sendText(res, 405, 'POST only');
      const body = await readJson(req);
      if (body === undefined) {
        return sendJson(
          res,
          200,
          fail(new AppError('BAD_REQUEST', 'The request body must be JSON: {"method", "params"}.')),
        );
      }
      const { method, params } = body as { method?: unknown; params?: unknown };
      return sendJson(res, 200, await opts.dispatch(method, params, { transport: 'web' }));
    }
    if (url.pathname === webPaths.upload) {
      if (req.method !== 'POST') return sendText(res, 405, 'POST only');
      const rawName = req.headers[uploadNameHeader];
      const fileName = typeof rawName === 'string' ? safeDecode(rawName) : 'upload.onnx';
      const group = req.headers[uploadGroupHeader];
      try {
        const staged = await opts.files.stageUpload(req, fileName, {
          group: typeof group === 'string' ? group : undefined,
        });
        return sendJson(res, 200, ok(staged));
      } catch (err) {
        return sendJson(res, 200, fail(toAppError(err)));
      }
    }
    if (url.pathname.startsWith('/api/')) return sendText(res, 404, 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET only');
    return serveStatic(opts.staticDir, url.pathname, res);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const refused = url.pathname === webPaths.events ? refusal(req) : 404;
    if (refused !== null) {
      socket.end(
        `HTTP/1.1 ${refused} ${refused === 401 ? 'Unauthorized' : refused === 403 ? 'Forbidden' : 'Not Found'}\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // The channel is push-only: anything the page sends is ignored.
    });
  });

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    // A stray `%` is the client's mistake, not ours: 400, never a 500.
    return sendText(res, 400, 'Malformed URL: a % must be followed by two hex digits.');
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) return sendText(res, 403, 'Forbidden');
  let info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    // Client-side routes fall back to the app.
    file = join(root, 'index.html');
    info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      return sendText(
        res,
        500,
        'The UI is not built. Run `npm run build:renderer` (npm start does it for you).',
      );
    }
  }
  res.writeHead(200, {
    ...securityHeaders,
    'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': extname(file) === '.html' ? 'no-store' : 'private, max-age=3600',
  });
  createReadStream(file).pipe(res);
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxCallBody) return undefined;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
