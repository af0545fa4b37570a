import type { KeyCache } from './client-auth';
import type { SshConnection } from './connection';
import { connect } from './connection';
import type { SshTarget } from './ssh-target';
import { targetKey } from './ssh-target';

/**
 * Connections reused within one operation (a deploy, a probe round): the same device, or the same jump
 * host, is connected once. Create one per operation and `closeAll()` at its end; it is not a global cache,
 * so no stale or half-dead sessions linger between operations.
 */
export class ConnectionPool {
  private readonly connections = new Map<string, Promise<SshConnection>>();
  /** One read and parse per key file for all the pool's connections. */
  private readonly keys: KeyCache = new Map();

  constructor(private readonly options: { signal?: AbortSignal } = {}) {}

  get(target: SshTarget): Promise<SshConnection> {
    const key = targetKey(target);
    const existing = this.connections.get(key);
    if (existing !== undefined) return existing;
    const pending = this.open(target);
    this.connections.set(key, pending);
    const forget = (): void => {
      if (this.connections.get(key) === pending) this.connections.delete(key);
    };
    // A failed or dropped connection is not handed out again; the next caller reconnects.
    pending.then((conn) => conn.onClose(forget), forget);
    return pending;
  }

  async withConnection<R>(target: SshTarget, fn: (conn: SshConnection) => Promise<R>): Promise<R> {
    return fn(await this.get(target));
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    const settled = await Promise.allSettled(all);
    // Tunnelled connections first, so a jump host is not closed under its passengers.
    const open = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    await Promise.all(open.filter((c) => c.target.jump !== undefined).map((c) => c.close()));
    await Promise.all(open.filter((c) => c.target.jump === undefined).map((c) => c.close()));
  }

  private async open(target: SshTarget): Promise<SshConnection> {
    const signal = this.options.signal;
    const jumpConnection = target.jump === undefined ? undefined : await this.get(target.jump);
    return connect(target, { signal, jumpConnection, keys: this.keys });
  }
}

/** Runs `fn` with a fresh pool and always closes it. */
export async function withPool<R>(
  fn: (pool: ConnectionPool) => Promise<R>,
  options: { signal?: AbortSignal } = {},
): Promise<R> {
  const pool = new ConnectionPool(options);
  try {
    return await fn(pool);
  } finally {
    await pool.closeAll();
  }
}
