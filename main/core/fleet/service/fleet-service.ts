import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { readKeyFileSync } from '../ssh/key-file';
import { userInfo } from 'node:os';
// ssh2 is CommonJS: Node only detects some named exports (not `utils`), so go through the default export.
import ssh2 from 'ssh2';
import { AppError } from '../../../../shared/errors';
import type {
  Device,
  ExportFormat,
  ExportResult,
  HostKeyScan,
  ImportFormat,
  ImportReport,
  ProbeOutcome,
  SecretKind,
  StatusOutcome,
  TrustOutcome,
} from '../../../../shared/schemas/fleet';
import { deviceTagSchema } from '../../../../shared/schemas/fleet';
import type { Logger } from '../../logger';
import type { SecretRef, SecretStore, DeviceRepository } from '../devices';
import {
  applyPatch,
  expandHome,
  formatEndpoint,
  MemorySecretStore,
  parseNewDevice,
  resolveJump,
  resolveTargets,
  sshTargetFor,
} from '../devices';
import type { ExportDevice } from '../inventory-io';
import { exportInventory, inferFormat, parseInventory, parseKnownHosts } from '../inventory-io';
import type { SshTarget } from '../ssh';
import { defaultFleetConcurrency } from '../ssh';
import type { OpsContext } from './fleet-operations';
import { probeAll, scanAll, statusOf, trustAll } from './fleet-operations';
import {
  applyDevicePlan,
  applyKnownHostsPlan,
  buildReport,
  planDeviceImport,
  planKnownHostsImport,
} from './inventory-import';
import type { FleetOpOptions } from './run-fleet';

export type FleetServiceOptions = {
  logger: Logger;
  /** Where passwords and passphrases given at use are kept; default: memory, for this process only. */
  secrets?: SecretStore;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Default limit for one remote command (status check); the probe has its own 60 s. Default 30 s. */
  commandTimeoutMs?: number;
  /** Devices worked on at once. Default 16. */
  concurrency?: number;
  /** User for devices added without one; default the local user, as OpenSSH does. */
  defaultUser?: string;
};

export type ImportOptions = {
  /** Import the valid rows and report the rejected ones, instead of refusing the whole file. */
  skipInvalid?: boolean;
  /** Throws for a key path this caller may not set (the untrusted UI: see KeyPathPolicy); the row is rejected. */
  checkKeyPath?: (keyPath: string) => void;
};

/** A secret the caller must ask for before connecting (see `secretNeeds`). */
export type SecretNeed =
  | { kind: 'password'; device: string; deviceId: string }
  | { kind: 'passphrase'; keyPath: string; devices: string[] };

/** Import files larger than this are refused: an inventory of 100,000 devices is still far below it. */
const maxImportBytes = 32 * 1024 * 1024;

const newId = () => `d_${randomBytes(6).toString('hex')}`;

/**
 * The device inventory and everything done to devices over SSH: add/edit/remove, tags, host-key trust,
 * probe, status, import and export. Connections go through main/core/fleet/ssh; this class decides which
 * devices, with which credentials and pinned keys, and records what happened.
 */
export class FleetService {
  readonly secrets: SecretStore;
  private readonly repo: DeviceRepository;
  private readonly ops: OpsContext;
  private readonly defaultUser: string;

  constructor(
    repo: DeviceRepository,
    private readonly options: FleetServiceOptions,
  ) {
    this.repo = repo;
    this.secrets = options.secrets ?? new MemorySecretStore();
    this.defaultUser = options.defaultUser ?? userInfo().username;
    this.ops = {
      repo,
      secrets: this.secrets,
      logger: options.logger,
      defaults: {
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
        concurrency: options.concurrency ?? defaultFleetConcurrency,
      },
    };
  }

  // --------------------------------------------------------------------------------------------- inventory

  list(filter: { tag?: string } = {}): Device[] {
    return this.repo.list(filter.tag);
  }

  /** By name (any case) or id. */
  get(ref: string): Device {
    const device = this.repo.byName(ref.trim()) ?? this.repo.byId(ref.trim());
    if (device === undefined) {
      throw new AppError('NOT_FOUND', `No device named "${ref}". List devices with: edgefleet devices list`, {
        ref,
      });
    }
    return device;
  }

  tags(): string[] {
    return this.repo.allTags();
  }

  add(input: unknown): Device {
    const { fields, tags } = parseNewDevice(input, this.defaultUser);
    const id = newId();
    this.repo.transaction(() => {
      this.assertNameFree(fields.name, undefined);
      this.repo.insert(id, fields, tags, new Date().toISOString());
      this.assertNoJumpLoops();
    });
    this.options.logger.info({ id, name: fields.name }, 'device added');
    return this.get(id);
  }

  update(ref: string, patch: unknown): Device {
    const existing = this.get(ref);
    const next = applyPatch(existing, patch);
    const now = new Date().toISOString();
    this.repo.transaction(() => {
      this.assertNameFree(next.fields.name, existing.id);
      this.repo.update(existing.id, next.fields, now);
      if (next.tags !== undefined) this.repo.setTags(existing.id, next.tags);
      if (existing.name !== next.fields.name)
        this.repo.renameJumpReferences(existing.name, next.fields.name, now);
      // The pinned key of an ad-hoc jump host belongs to that host: a new jump value needs a new trust.
      if (existing.jump !== next.fields.jump) this.repo.setJumpHostKey(existing.id, null);
      this.assertNoJumpLoops();
    });
    if (existing.authMethod === 'password' && next.fields.authMethod !== 'password') {
      this.secrets.delete({ kind: 'password', deviceId: existing.id });
    }
    return this.get(existing.id);
  }

  /**
   * The key file a device will log in with: it must exist, be a regular file and be readable by EdgeFleet.
   * Only checked here (the add/edit form asks before saving); the key is read when connecting.
   */
  async checkKeyFile(path: string): Promise<{ path: string }> {
    const full = expandHome(path.trim());
    let info;
    try {
      info = await stat(full);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new AppError(
          'FILE_NOT_FOUND',
          `The key file ${full} does not exist. Choose an existing private key file.`,
          {
            path: full,
          },
        );
      }
      throw new AppError(
        'FILE_UNREADABLE',
        `The key file ${full} cannot be read (${code ?? String(err)}). Check the path and its permissions.`,
        { path: full },
      );
    }
    if (!info.isFile()) {
      throw new AppError(
        'FILE_UNREADABLE',
        `${full} is not a file. Choose the private key file itself (e.g. ~/.ssh/id_ed25519).`,
        { path: full },
      );
    }
    try {
      await access(full, fsConstants.R_OK);
    } catch {
      throw new AppError(
        'FILE_UNREADABLE',
        `The key file ${full} is not readable by EdgeFleet. Check its permissions.`,
        { path: full },
      );
    }
    return { path: full };
  }

  remove(ref: string): { id: string; name: string } {
    const device = this.get(ref);
    const dependents = this.repo.jumpDependents(device.name);
    if (dependents.length > 0) {
      throw new AppError(
        'DEVICE_IN_USE',
        `${device.name} is the jump host of ${dependents.map((d) => d.name).join(', ')}. Give those another jump host (devices edit NAME --jump …) or remove them first.`,
        { dependents: dependents.map((d) => d.name) },
      );
    }
    this.repo.delete(device.id);
    this.secrets.delete({ kind: 'password', deviceId: device.id });
    this.options.logger.info({ id: device.id, name: device.name }, 'device removed');
    return { id: device.id, name: device.name };
  }

  /** Adds and removes tags on every device the refs name (names, tag:T, all). */
  tag(refs: readonly string[], change: { add?: readonly string[]; remove?: readonly string[] }): Device[] {
    const parseTags = (tags: readonly string[] | undefined): string[] =>
      (tags ?? []).map((t) => {
        const parsed = deviceTagSchema.safeParse(t);
        if (!parsed.success) {
          throw new AppError(
            'BAD_REQUEST',
            `Invalid tag "${t}": ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
          );
        }
        return parsed.data;
      });
    const add = parseTags(change.add);
    const remove = parseTags(change.remove);
    if (add.length === 0 && remove.length === 0) {
      throw new AppError('BAD_REQUEST', 'Give at least one tag to add or remove.');
    }
    const devices = resolveTargets(this.repo, refs);
    const now = new Date().toISOString();
    this.repo.transaction(() => {
      for (const d of devices) {
        this.repo.removeTags(d.id, remove);
        this.repo.addTags(d.id, add);
        this.repo.touch(d.id, now);
      }
    });
    return devices.map((d) => this.get(d.id));
  }

  /** Devices named by targets: names, `tag:T`, `all`. */
  resolve(targets: readonly string[]): Device[] {
    return resolveTargets(this.repo, targets);
  }

  /** What the SSH layer needs to reach a device (for deploy and remote benchmarks). */
  sshTarget(ref: string | Device, opts: { connectTimeoutMs?: number } = {}): SshTarget {
    const device = typeof ref === 'string' ? this.get(ref) : ref;
    return sshTargetFor(device, {
      lookup: (n) => this.repo.byName(n),
      secrets: this.secrets,
      timeouts: {
        connectMs: opts.connectTimeoutMs ?? this.ops.defaults.connectTimeoutMs,
        commandMs: this.ops.defaults.commandTimeoutMs,
      },
    });
  }

  // ----------------------------------------------------------------------------------------------- secrets

  /**
   * Keeps a password (per device) or key passphrase (per key file) for this session; with `remember`, also
   * for later sessions when the store can keep it encrypted. Returns whether it was remembered.
   */
  provideSecret(ref: string, kind: SecretKind, secret: string, remember = false): boolean {
    const device = this.get(ref);
    let secretRef: SecretRef;
    if (kind === 'password') {
      secretRef = { kind: 'password', deviceId: device.id };
    } else if (device.keyPath === null) {
      throw new AppError('BAD_REQUEST', `${device.name} does not use a key file, so it has no passphrase.`);
    } else {
      secretRef = { kind: 'passphrase', keyPath: expandHome(device.keyPath) };
    }
    if (remember && this.secrets.remember) return this.secrets.remember(secretRef, secret);
    this.secrets.set(secretRef, secret);
    return false;
  }

  /**
   * Secrets that connecting to these devices (and their jump devices) will need and that nobody gave yet:
   * passwords, and passphrases of encrypted key files (one per file). The CLI asks for them up front.
   */
  secretNeeds(devices: readonly Device[]): SecretNeed[] {
    const needs: SecretNeed[] = [];
    const passphrases = new Map<string, string[]>();
    const seen = new Set<string>();
    const visit = (device: Device): void => {
      if (seen.has(device.id)) return;
      seen.add(device.id);
      if (
        device.authMethod === 'password' &&
        this.secrets.get({ kind: 'password', deviceId: device.id }) === undefined
      ) {
        needs.push({ kind: 'password', device: device.name, deviceId: device.id });
      }
      if (device.authMethod === 'key' && device.keyPath !== null) {
        const path = expandHome(device.keyPath);
        if (
          this.secrets.get({ kind: 'passphrase', keyPath: path }) === undefined &&
          keyNeedsPassphrase(path)
        ) {
          passphrases.set(path, [...(passphrases.get(path) ?? []), device.name]);
        }
      }
      const jump = resolveJump(device, (n) => this.repo.byName(n));
      if (jump.kind === 'device') visit(jump.device);
    };
    for (const d of devices) visit(d);
    for (const [keyPath, names] of passphrases) needs.push({ kind: 'passphrase', keyPath, devices: names });
    return needs;
  }

  // ----------------------------------------------------------------------------------------- over the wire

  scanHostKeys(targets: readonly string[], options: FleetOpOptions = {}): Promise<HostKeyScan[]> {
    return scanAll(this.ops, this.resolve(targets), options);
  }

  /** Pins what the devices present; with `fingerprints`, only keys whose fingerprint is in the list. */
  trust(
    targets: readonly string[],
    fingerprints?: readonly string[],
    options: FleetOpOptions = {},
  ): Promise<TrustOutcome[]> {
    return trustAll(this.ops, this.resolve(targets), fingerprints, options);
  }

  /**
   * Pins, per device, only a key among the fingerprints the user was shown for it; anything else is refused
   * (HOST_KEY_CHANGED). What the untrusted UI calls: it can never pin a key nobody saw.
   */
  trustSeen(
    seen: readonly { ref: string; fingerprints: readonly string[] }[],
    options: FleetOpOptions = {},
  ): Promise<TrustOutcome[]> {
    const approved = new Map<string, readonly string[]>();
    const devices: Device[] = [];
    for (const { ref, fingerprints } of seen) {
      const device = this.get(ref);
      if (!approved.has(device.id)) devices.push(device);
      approved.set(device.id, [...(approved.get(device.id) ?? []), ...fingerprints]);
    }
    return trustAll(this.ops, devices, approved, options);
  }

  probe(targets: readonly string[], options: FleetOpOptions = {}): Promise<ProbeOutcome[]> {
    return probeAll(this.ops, this.resolve(targets), options);
  }

  status(targets: readonly string[], options: FleetOpOptions = {}): Promise<StatusOutcome[]> {
    return statusOf(this.ops, this.resolve(targets), options);
  }

  // -------------------------------------------------------------------------------------- import / export

  async importFile(path: string, format?: ImportFormat, options: ImportOptions = {}): Promise<ImportReport> {
    let text: string;
    try {
      const info = await stat(path);
      if (!info.isFile())
        throw new AppError('FILE_UNREADABLE', `${path} is not a file. Choose an inventory file.`);
      if (info.size > maxImportBytes) {
        throw new AppError(
          'FILE_UNREADABLE',
          `${path} is ${info.size} bytes; inventories above ${maxImportBytes} bytes are refused.`,
        );
      }
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (err instanceof AppError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new AppError('FILE_NOT_FOUND', `${path} does not exist. Check the path.`, { path });
      throw new AppError('FILE_UNREADABLE', `${path} cannot be read (${code ?? String(err)}).`, { path });
    }
    return this.importText(text, format ?? inferFormat(path, text), options);
  }

  /**
   * Validates every row, then writes all of them in one transaction. Any rejected row → IMPORT_INVALID and
   * nothing written (details.report says why per row), unless `skipInvalid`.
   */
  importText(text: string, format: ImportFormat, options: ImportOptions = {}): ImportReport {
    if (format === 'known-hosts') {
      const plan = planKnownHostsImport(parseKnownHosts(text), this.repo);
      return this.finishImport(format, plan.rows, [], undefined, options, () =>
        applyKnownHostsPlan(this.repo, plan),
      );
    }
    const plan = planDeviceImport(
      parseInventory(format, text),
      this.repo,
      this.defaultUser,
      options.checkKeyPath,
    );
    return this.finishImport(format, plan.rows, plan.notes, plan.fatal, options, () => {
      applyDevicePlan(this.repo, plan, newId);
      this.repo.transaction(() => this.assertNoJumpLoops());
    });
  }

  private finishImport(
    format: ImportFormat,
    rows: ImportReport['rows'],
    notes: string[],
    fatal: string | undefined,
    options: ImportOptions,
    apply: () => void,
  ): ImportReport {
    const rejected = rows.filter((r) => r.action === 'rejected').length;
    if (fatal !== undefined || (rejected > 0 && options.skipInvalid !== true)) {
      const report = buildReport(format, rows, notes, false);
      const first = rows.find((r) => r.action === 'rejected');
      throw new AppError(
        'IMPORT_INVALID',
        fatal ??
          `${rejected} row(s) of the ${format} file were rejected, so nothing was imported. First: ${first?.line === null || first?.line === undefined ? '' : `line ${first.line}: `}${first?.reason ?? ''} Fix the file, or import the valid rows only (--skip-invalid).`,
        { report },
      );
    }
    apply();
    const report = buildReport(format, rows, notes, true);
    this.options.logger.info({ format, counts: report.counts }, 'devices imported');
    return report;
  }

  /** `names`: only these devices (the Ansible deploy engine writes the inventory of its targets). */
  export(format: ExportFormat, filter: { tag?: string; names?: readonly string[] } = {}): ExportResult {
    const names = filter.names === undefined ? null : new Set(filter.names);
    const devices: ExportDevice[] = this.repo
      .list(filter.tag)
      .filter((d) => names === null || names.has(d.name));
    const text = exportInventory(format, devices, {
      jumpEndpoint: (name) => {
        const d = this.repo.byName(name);
        return d === undefined ? null : formatEndpoint(d.user, d.host, d.port);
      },
      adhocJump: (d) => {
        const full = this.repo.byName(d.name);
        if (full === undefined) return null;
        const jump = resolveJump(full, (n) => this.repo.byName(n));
        return jump.kind === 'adhoc' ? { host: jump.endpoint.host, port: jump.endpoint.port } : null;
      },
    });
    return { format, text, deviceCount: devices.length };
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private assertNameFree(name: string, ownId: string | undefined): void {
    const other = this.repo.byName(name);
    if (other !== undefined && other.id !== ownId) {
      throw new AppError(
        'NAME_TAKEN',
        `A device named "${other.name}" already exists. Choose another name.`,
        {
          name,
        },
      );
    }
  }

  /** Jump references may not loop (a → b → a): every connection would recurse forever. */
  private assertNoJumpLoops(): void {
    const devices = this.repo.list();
    const byName = new Map(devices.map((d) => [d.name.toLowerCase(), d]));
    for (const start of devices) {
      const path: string[] = [];
      let d: Device | undefined = start;
      while (d !== undefined && d.jump !== null) {
        if (path.includes(d.name)) {
          throw new AppError(
            'BAD_REQUEST',
            `The jump hosts would form a loop (${[...path, d.name].join(' → ')}). Choose another jump host.`,
          );
        }
        path.push(d.name);
        d = byName.get(d.jump.toLowerCase());
      }
    }
  }
}

function keyNeedsPassphrase(path: string): boolean {
  let bytes: Buffer;
  try {
    // Synchronous on purpose: a few small key files, read once before an operation.
    bytes = readKeyFileSync(path);
  } catch {
    return false;
  }
  const parsed = ssh2.utils.parseKey(bytes);
  return parsed instanceof Error && /no passphrase given/i.test(parsed.message);
}
