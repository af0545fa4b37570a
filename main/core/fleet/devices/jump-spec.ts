import { AppError } from '../../../../shared/errors';

export type JumpEndpoint = { user: string | null; host: string; port: number };

/** `[user@]host[:port]`, with IPv6 as `[addr]:port` (as OpenSSH's ProxyJump writes it). */
export function parseJumpSpec(spec: string): JumpEndpoint {
  const m = /^(?:([^\s@:[\]]+)@)?(?:\[([^\]]+)\]|([^\s@:[\]]+))(?::(\d{1,5}))?$/.exec(spec.trim());
  const host = m?.[2] ?? m?.[3];
  const port = m?.[4] === undefined ? 22 : Number(m[4]);
  if (m === null || host === undefined || port < 1 || port > 65_535) {
    throw new AppError(
      'BAD_REQUEST',
      `"${spec}" is not a jump host. Give a device name, or user@host:port (port optional).`,
    );
  }
  return { user: m[1] ?? null, host, port };
}

export function formatEndpoint(user: string | null, host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${user === null ? '' : `${user}@`}${h}${port === 22 ? '' : `:${port}`}`;
}
