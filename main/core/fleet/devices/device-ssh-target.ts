import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import type { SshAuth, SshTarget, SshTimeouts } from '../ssh';
import type { JumpEndpoint } from './jump-spec';
import { parseJumpSpec } from './jump-spec';
import type { SecretStore } from './secret-store';

export type ResolvedJump =
  { kind: 'none' } | { kind: 'device'; device: Device } | { kind: 'adhoc'; endpoint: JumpEndpoint };

/** A jump value names a device when one has that name; otherwise it is `[user@]host[:port]`. */
export function resolveJump(device: Device, lookup: (name: string) => Device | undefined): ResolvedJump {
  if (device.jump === null) return { kind: 'none' };
  const named = lookup(device.jump);
  if (named !== undefined) return { kind: 'device', device: named };
  return { kind: 'adhoc', endpoint: parseJumpSpec(device.jump) };
}

/** `~/…` as the shell would expand it: key paths are often typed that way, and the SSH layer reads files as given. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

export function authFor(device: Device, secrets: SecretStore): SshAuth {
  switch (device.authMethod) {
    case 'key': {
      const privateKeyPath = expandHome(device.keyPath ?? '');
      const passphrase = secrets.get({ kind: 'passphrase', keyPath: privateKeyPath });
      return passphrase === undefined
        ? { kind: 'key', privateKeyPath }
        : { kind: 'key', privateKeyPath, passphrase };
    }
    case 'agent':
      return { kind: 'agent' };
    case 'password': {
      const password = secrets.get({ kind: 'password', deviceId: device.id });
      if (password === undefined) {
        throw new AppError(
          'SECRET_REQUIRED',
          `Device ${device.name} logs in with a password, and none was given in this session. Enter it (CLI: run in a terminal, it is asked for), then retry.`,
          { device: device.name, deviceId: device.id, kind: 'password' },
        );
      }
      return { kind: 'password', password };
    }
  }
}

export type TargetContext = {
  lookup(name: string): Device | undefined;
  secrets: SecretStore;
  timeouts: SshTimeouts;
};

/**
 * The SSH layer's view of a device: endpoint, credentials, pinned key, and the jump chain. A jump device
 * contributes its own target (its credentials and pinned key), so a pool shares one connection to it.
 */
export function sshTargetFor(device: Device, ctx: TargetContext, chain: readonly string[] = []): SshTarget {
  if (chain.includes(device.id)) {
    const names = [...chain.map((id) => ctx.lookup(id)?.name ?? id), device.name];
    throw new AppError(
      'BAD_REQUEST',
      `The jump hosts of ${device.name} form a loop (${names.join(' → ')}). Change one device's jump host.`,
    );
  }
  const auth = authFor(device, ctx.secrets);
  const base: SshTarget = {
    host: device.host,
    port: device.port,
    username: device.user,
    auth,
    pinnedHostKey: device.hostKey?.publicKey ?? null,
    timeouts: ctx.timeouts,
  };
  const jump = resolveJump(device, ctx.lookup);
  switch (jump.kind) {
    case 'none':
      return base;
    case 'device':
      return { ...base, jump: sshTargetFor(jump.device, ctx, [...chain, device.id]) };
    case 'adhoc':
      return { ...base, jump: adhocJumpTarget(device, jump.endpoint, auth, ctx.timeouts) };
  }
}

/** An ad-hoc jump host logs in with the device's own credentials (as `ssh -J` does) and its own pinned key. */
export function adhocJumpTarget(
  device: Device,
  endpoint: JumpEndpoint,
  auth: SshAuth,
  timeouts: SshTimeouts,
): SshTarget {
  return {
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user ?? device.user,
    auth,
    pinnedHostKey: device.jumpHostKey?.publicKey ?? null,
    timeouts,
  };
}
