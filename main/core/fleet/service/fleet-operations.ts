import { AppError } from '../../../../shared/errors';
import type {
  Device,
  DeviceState,
  DeviceStatus,
  HostKeyScan,
  PinnedHostKey,
  ProbeOutcome,
  StatusOutcome,
  TrustOutcome,
} from '../../../../shared/schemas/fleet';
import type { Logger } from '../../logger';
import type { DeviceRepository, SecretStore } from '../devices';
import { adhocJumpTarget, authFor, resolveJump, sshTargetFor } from '../devices';
import { probeDevice } from '../probe';
import type { ConnectionPool, HostKeyInfo, SshConnection, SshTarget, SshTimeouts } from '../ssh';
import { describeTarget, normalizeFingerprint, scanHostKey } from '../ssh';
import type { DeviceResult, FleetOpOptions } from './run-fleet';
import { runFleet } from './run-fleet';

export type OpsContext = {
  repo: DeviceRepository;
  secrets: SecretStore;
  logger: Logger;
  defaults: { connectTimeoutMs: number; commandTimeoutMs: number; concurrency: number };
};

function timeoutsFor(ctx: OpsContext, options: FleetOpOptions): SshTimeouts {
  return {
    connectMs: options.connectTimeoutMs ?? ctx.defaults.connectTimeoutMs,
    commandMs: ctx.defaults.commandTimeoutMs,
  };
}

/** Built from the stored row at the moment of use: a key pinned earlier in the same operation counts. */
export function targetOf(ctx: OpsContext, device: Device, timeouts: SshTimeouts): SshTarget {
  const fresh = ctx.repo.byId(device.id) ?? device;
  return sshTargetFor(fresh, { lookup: (n) => ctx.repo.byName(n), secrets: ctx.secrets, timeouts });
}

/** Connection failures as the device's state. */
export function stateFor(error: AppError): DeviceState {
  switch (error.code) {
    case 'UNREACHABLE':
      return 'offline';
    case 'TIMEOUT':
      return 'timeout';
    case 'AUTH_FAILED':
    case 'SECRET_REQUIRED':
    case 'FILE_NOT_FOUND':
    case 'FILE_UNREADABLE':
      return 'auth_failed';
    case 'HOST_KEY_UNKNOWN':
    case 'HOST_KEY_MISMATCH':
      return 'host_key_problem';
    default:
      return 'error';
  }
}

/**
 * Names the device in every per-device error, and turns "this key needs a passphrase" into
 * SECRET_REQUIRED so callers know to ask for it (a wrong one is forgotten, so it is asked again).
 */
function deviceError(ctx: OpsContext, device: Device, error: AppError): AppError {
  const details = (error.details ?? {}) as Record<string, unknown>;
  const reason = details['reason'];
  if (error.code === 'AUTH_FAILED' && (reason === 'passphrase-required' || reason === 'bad-passphrase')) {
    const keyPath = typeof details['path'] === 'string' ? details['path'] : (device.keyPath ?? '');
    if (reason === 'bad-passphrase') ctx.secrets.delete({ kind: 'passphrase', keyPath });
    return new AppError('SECRET_REQUIRED', error.message, {
      ...details,
      device: device.name,
      deviceId: device.id,
      kind: 'passphrase',
      keyPath,
    });
  }
  if (!('device' in details)) {
    return new AppError(error.code, error.message, { device: device.name, deviceId: device.id, ...details });
  }
  return error;
}

function recordStatus(ctx: OpsContext, device: Device, status: DeviceStatus): void {
  if (status.error?.code === 'CANCELLED') return;
  ctx.repo.setStatus(device.id, status);
}

// ------------------------------------------------------------------------------------------------ status

export async function statusOf(
  ctx: OpsContext,
  devices: readonly Device[],
  options: FleetOpOptions,
): Promise<StatusOutcome[]> {
  const timeouts = timeoutsFor(ctx, options);
  const results = await runFleet(
    [devices],
    { ...options, concurrency: options.concurrency ?? ctx.defaults.concurrency },
    async (device, pool, signal) => {
      const conn = await connectDevice(ctx, device, pool, timeouts, signal);
      // Logging in proves the endpoint and credentials; running a command proves the account has a shell.
      await conn.exec(['true'], {
        check: true,
        signal,
        timeoutMs: Math.min(timeouts.commandMs ?? 30_000, 30_000),
      });
      return conn.connectLatencyMs;
    },
  );
  return results.map((r) => {
    const checkedAt = new Date().toISOString();
    const error = r.ok ? null : deviceError(ctx, r.device, r.error);
    const status: DeviceStatus = {
      state: error === null ? 'online' : stateFor(error),
      checkedAt,
      latencyMs: r.ok ? round(r.value) : null,
      error: error === null ? null : error.toData(),
    };
    recordStatus(ctx, r.device, status);
    return {
      device: r.device.name,
      deviceId: r.device.id,
      ok: status.state === 'online',
      state: status.state,
      latencyMs: status.latencyMs,
      checkedAt,
      lastSeenAt: ctx.repo.byId(r.device.id)?.lastSeenAt ?? null,
      error: status.error,
    };
  });
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

// ------------------------------------------------------------------------------------------------- probe

export async function probeAll(
  ctx: OpsContext,
  devices: readonly Device[],
  options: FleetOpOptions,
): Promise<ProbeOutcome[]> {
  const timeouts = timeoutsFor(ctx, options);
  const results = await runFleet(
    [devices],
    { ...options, concurrency: options.concurrency ?? ctx.defaults.concurrency },
    async (device, pool, signal) => {
      const conn = await connectDevice(ctx, device, pool, timeouts, signal);
      const facts = await probeDevice(conn, { deployRoot: device.deployRoot, signal });
      return { facts, latencyMs: conn.connectLatencyMs };
    },
  );
  return results.map((r): ProbeOutcome => {
    const now = new Date().toISOString();
    if (r.ok) {
      ctx.repo.setProbe(r.device.id, r.value.facts, now);
      recordStatus(ctx, r.device, {
        state: 'online',
        checkedAt: now,
        latencyMs: round(r.value.latencyMs),
        error: null,
      });
      return {
        device: r.device.name,
        deviceId: r.device.id,
        ok: true,
        facts: r.value.facts,
        probedAt: now,
        latencyMs: round(r.value.latencyMs),
      };
    }
    const error = deviceError(ctx, r.device, r.error);
    // Only connection problems say something about reachability; a probe script failure does not.
    const state = stateFor(error);
    if (state !== 'error')
      recordStatus(ctx, r.device, { state, checkedAt: now, latencyMs: null, error: error.toData() });
    return { device: r.device.name, deviceId: r.device.id, ok: false, error: error.toData() };
  });
}

// --------------------------------------------------------------------------------------- host-key scans

type Presented = HostKeyInfo & { endpoint: string };

async function scanEndpoint(
  host: string,
  port: number,
  timeouts: SshTimeouts,
  signal: AbortSignal,
  jump: { pool: ConnectionPool; target: SshTarget } | undefined,
): Promise<Presented> {
  const jumpConn = jump === undefined ? undefined : await jump.pool.get(jump.target);
  const info = await scanHostKey(host, port, {
    timeoutMs: timeouts.connectMs ?? 10_000,
    signal,
    jump: jumpConn,
  });
  const at = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { ...info, endpoint: jump === undefined ? at : `${at} via ${describeTarget(jump.target)}` };
}

/** How deep a device sits behind jump devices: trust pins the shallow ones first. */
function jumpDepth(ctx: OpsContext, device: Device, seen: string[] = []): number {
  const jump = resolveJump(device, (n) => ctx.repo.byName(n));
  if (jump.kind !== 'device' || seen.includes(jump.device.id)) return 0;
  return 1 + jumpDepth(ctx, jump.device, [...seen, device.id]);
}

function layersOf(ctx: OpsContext, devices: readonly Device[]): Device[][] {
  const layers: Device[][] = [];
  for (const d of devices) {
    const depth = jumpDepth(ctx, d);
    (layers[depth] ??= []).push(d);
  }
  return layers.filter((l) => l !== undefined);
}

/**
 * The device's key as presented now, through its jump host when it has one. Scanning needs no login to the
 * device itself, so a device whose password was not given yet can still be trusted.
 */
async function presentedKey(
  ctx: OpsContext,
  device: Device,
  pool: ConnectionPool,
  timeouts: SshTimeouts,
  signal: AbortSignal,
): Promise<Presented> {
  const fresh = ctx.repo.byId(device.id) ?? device;
  const jump = resolveJump(fresh, (n) => ctx.repo.byName(n));
  let jumpTarget: SshTarget | undefined;
  if (jump.kind === 'device') jumpTarget = targetOf(ctx, jump.device, timeouts);
  if (jump.kind === 'adhoc') {
    jumpTarget = adhocJumpTarget(fresh, jump.endpoint, authFor(fresh, ctx.secrets), timeouts);
  }
  return scanEndpoint(
    fresh.host,
    fresh.port,
    timeouts,
    signal,
    jumpTarget === undefined ? undefined : { pool, target: jumpTarget },
  );
}

/**
 * A pooled connection to the device. An untrusted device is refused before its credentials are even
 * loaded, with the fingerprint it presents, so "trust it first" is the first thing the user hears.
 */
async function connectDevice(
  ctx: OpsContext,
  device: Device,
  pool: ConnectionPool,
  timeouts: SshTimeouts,
  signal: AbortSignal,
): Promise<SshConnection> {
  const fresh = ctx.repo.byId(device.id) ?? device;
  if (fresh.hostKey === null) {
    const info = await presentedKey(ctx, fresh, pool, timeouts, signal);
    throw new AppError(
      'HOST_KEY_UNKNOWN',
      `${fresh.name} (${info.endpoint}) is not trusted yet: it presents ${info.keyType} key ${info.fingerprint}. Compare it with the device's key, then run: edgefleet devices trust ${fresh.name} --fingerprint ${info.fingerprint}`,
      { fingerprint: info.fingerprint, keyType: info.keyType, publicKey: info.publicKey },
    );
  }
  return pool.get(targetOf(ctx, fresh, timeouts));
}

function comparePinned(pinned: PinnedHostKey | null, presented: HostKeyInfo): 'none' | 'same' | 'different' {
  if (pinned === null) return 'none';
  return pinned.publicKey === presented.publicKey ? 'same' : 'different';
}

/** Every key the targets present, for the user to compare before trusting; nothing is pinned. */
export async function scanAll(
  ctx: OpsContext,
  devices: readonly Device[],
  options: FleetOpOptions,
): Promise<HostKeyScan[]> {
  const timeouts = timeoutsFor(ctx, options);
  const results = await runFleet(
    [devices],
    { ...options, concurrency: options.concurrency ?? ctx.defaults.concurrency },
    async (device, pool, signal) => {
      const out: HostKeyScan[] = [];
      const jump = resolveJump(device, (n) => ctx.repo.byName(n));
      if (jump.kind === 'adhoc') {
        try {
          const info = await scanEndpoint(
            jump.endpoint.host,
            jump.endpoint.port,
            timeouts,
            signal,
            undefined,
          );
          out.push(scanRow(device, 'jump', info, device.jumpHostKey));
          if (comparePinned(device.jumpHostKey, info) !== 'same') {
            out.push(
              failedScan(
                device,
                'device',
                `${device.host}:${device.port}`,
                new AppError(
                  'HOST_KEY_UNKNOWN',
                  `${device.name} is reached through ${info.endpoint}, whose key is not trusted yet. Trust the jump host first (trust ${device.name} does both).`,
                  { jumpFingerprint: info.fingerprint },
                ),
              ),
            );
            return out;
          }
        } catch (err) {
          out.push(
            failedScan(device, 'jump', `${jump.endpoint.host}:${jump.endpoint.port}`, err as AppError),
          );
          return out;
        }
      }
      try {
        const info = await presentedKey(ctx, device, pool, timeouts, signal);
        out.push(scanRow(device, 'device', info, device.hostKey));
      } catch (err) {
        out.push(
          failedScan(
            device,
            'device',
            `${device.host}:${device.port}`,
            deviceError(ctx, device, err as AppError),
          ),
        );
      }
      return out;
    },
  );
  return results.flatMap((r) =>
    r.ok
      ? r.value
      : [
          failedScan(
            r.device,
            'device',
            `${r.device.host}:${r.device.port}`,
            deviceError(ctx, r.device, r.error),
          ),
        ],
  );
}

function scanRow(
  device: Device,
  role: 'device' | 'jump',
  info: Presented,
  pinned: PinnedHostKey | null,
): HostKeyScan {
  return {
    device: device.name,
    deviceId: device.id,
    ok: true,
    role,
    endpoint: info.endpoint,
    fingerprint: info.fingerprint,
    keyType: info.keyType,
    publicKey: info.publicKey,
    pinned: comparePinned(pinned, info),
    pinnedFingerprint: pinned?.fingerprint ?? null,
  };
}

function failedScan(device: Device, role: 'device' | 'jump', endpoint: string, error: AppError): HostKeyScan {
  return { device: device.name, deviceId: device.id, ok: false, role, endpoint, error: error.toData() };
}

// ------------------------------------------------------------------------------------------------- trust

type Decision = 'pinned' | 'unchanged' | 'replaced';

/**
 * Trust on first use, with a check when the user approved fingerprints. An existing pin is replaced only
 * when the new key's fingerprint was approved explicitly: a changed key is what an attacker looks like.
 */
/** null: pin whatever is presented (the CLI after showing it); `seen`: fingerprints the user saw per device. */
type Approval = { set: ReadonlySet<string>; seen: boolean } | null;

function decide(
  what: string,
  name: string,
  presented: Presented,
  pinned: PinnedHostKey | null,
  approval: Approval,
): Decision {
  if (pinned !== null && pinned.publicKey === presented.publicKey) return 'unchanged';
  const approved = approval?.set ?? null;
  if (approval?.seen === true && !approval.set.has(presented.fingerprint)) {
    throw new AppError(
      'HOST_KEY_CHANGED',
      `${what} presents key ${presented.fingerprint}, which is not a key you were shown for ${name} (${[...approval.set].join(', ')}). Nothing was pinned. Scan again and compare the key with the device's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it) before trusting it.`,
      { presented: presented.fingerprint, seen: [...approval.set] },
    );
  }
  if (pinned === null) {
    if (approved !== null && !approved.has(presented.fingerprint)) {
      throw new AppError(
        'FINGERPRINT_MISMATCH',
        `${what} presented key ${presented.fingerprint}, which is not ${approved.size === 1 ? `the ${[...approved][0]} you approved` : 'among the fingerprints you approved'}. Nothing was pinned. Check the device's key (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on it) before trusting it.`,
        { presented: presented.fingerprint, approved: [...approved] },
      );
    }
    return 'pinned';
  }
  if (approved !== null && approved.has(presented.fingerprint)) return 'replaced';
  throw new AppError(
    'HOST_KEY_MISMATCH',
    `${what} presented host key ${presented.fingerprint}, but ${pinned.fingerprint} is pinned. Nothing was pinned or sent. If the device was reinstalled, check its new key and run: edgefleet devices trust ${name} --fingerprint ${presented.fingerprint}`,
    { expected: pinned.fingerprint, presented: presented.fingerprint, presentedKeyType: presented.keyType },
  );
}

function toPinned(info: HostKeyInfo): PinnedHostKey {
  return {
    publicKey: info.publicKey,
    keyType: info.keyType,
    fingerprint: info.fingerprint,
    pinnedAt: new Date().toISOString(),
  };
}

export async function trustAll(
  ctx: OpsContext,
  devices: readonly Device[],
  /** One list for all devices (the CLI's --fingerprint), or per device id: what the user saw for each. */
  fingerprints: readonly string[] | ReadonlyMap<string, readonly string[]> | undefined,
  options: FleetOpOptions,
): Promise<TrustOutcome[]> {
  const shared =
    fingerprints === undefined || !Array.isArray(fingerprints)
      ? null
      : new Set((fingerprints as readonly string[]).map(normalizeFingerprint));
  const perDevice = fingerprints instanceof Map ? fingerprints : null;
  const approvedFor = (id: string): Approval =>
    perDevice === null
      ? shared === null
        ? null
        : { set: shared, seen: false }
      : { set: new Set((perDevice.get(id) ?? []).map(normalizeFingerprint)), seen: true };
  const timeouts = timeoutsFor(ctx, options);
  const results: DeviceResult<Extract<TrustOutcome, { ok: true }>>[] = await runFleet(
    layersOf(ctx, devices),
    { ...options, concurrency: options.concurrency ?? ctx.defaults.concurrency },
    async (device, pool, signal) => {
      let current = ctx.repo.byId(device.id) ?? device;
      let jumpResult: { action: Decision; fingerprint: string } | null = null;
      const jump = resolveJump(current, (n) => ctx.repo.byName(n));
      if (jump.kind === 'adhoc') {
        const info = await scanEndpoint(jump.endpoint.host, jump.endpoint.port, timeouts, signal, undefined);
        const action = decide(
          `Jump host ${info.endpoint} of ${current.name}`,
          current.name,
          info,
          current.jumpHostKey,
          approvedFor(current.id),
        );
        if (action !== 'unchanged') ctx.repo.setJumpHostKey(current.id, toPinned(info));
        jumpResult = { action, fingerprint: info.fingerprint };
        current = ctx.repo.byId(current.id) ?? current;
      }
      const info = await presentedKey(ctx, current, pool, timeouts, signal);
      const action = decide(current.name, current.name, info, current.hostKey, approvedFor(current.id));
      if (action !== 'unchanged') ctx.repo.setHostKey(current.id, toPinned(info));
      ctx.repo.clearHostKeyProblem(current.id);
      ctx.logger.info({ device: current.name, action, fingerprint: info.fingerprint }, 'host key trust');
      return {
        device: current.name,
        deviceId: current.id,
        ok: true as const,
        action,
        fingerprint: info.fingerprint,
        keyType: info.keyType,
        previousFingerprint: action === 'replaced' ? (current.hostKey?.fingerprint ?? null) : null,
        jump: jumpResult,
      };
    },
  );
  const order = new Map(devices.map((d, i) => [d.id, i]));
  results.sort((a, b) => (order.get(a.device.id) ?? 0) - (order.get(b.device.id) ?? 0));
  return results.map((r): TrustOutcome =>
    r.ok
      ? r.value
      : {
          device: r.device.name,
          deviceId: r.device.id,
          ok: false,
          error: deviceError(ctx, r.device, r.error).toData(),
        },
  );
}
