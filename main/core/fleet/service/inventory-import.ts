import { AppError } from '../../../../shared/errors';
import type {
  Device,
  ImportFormat,
  ImportReport,
  ImportRow,
  PinnedHostKey,
} from '../../../../shared/schemas/fleet';
import { deviceNameSchema } from '../../../../shared/schemas/fleet';
import type { DeviceFields, DeviceRepository } from '../devices';
import { applyPatch, changedFields, fieldsOf, parseNewDevice, resolveJump } from '../devices';
import type { ParsedInventory } from '../inventory-io';
import { entryMatches, type ParsedKnownHosts } from '../inventory-io';
import { parsePublicKey } from '../ssh';

/**
 * Imports are validated completely before anything is written, then written in one transaction: a file
 * with a bad row changes nothing (unless the caller asked to import the valid rows only).
 */

type Write =
  | { kind: 'add'; fields: DeviceFields; tags: string[] }
  | { kind: 'update'; id: string; fields: DeviceFields; tags?: string[] };

type PendingWrite = { row: ImportRow; name: string; write: Write };

export type DevicePlan = { rows: ImportRow[]; writes: Write[]; notes: string[]; fatal?: string };

function errorText(err: unknown): string {
  return err instanceof AppError ? err.message : String(err);
}

/** "Invalid device pi-1: port: …. Correct it and retry." → "port: …" for a row that already names the device. */
function rowReason(err: unknown): string {
  return errorText(err)
    .replace(/^Invalid device( \S+)?: /, '')
    .replace(/ Correct it and retry\.$/, '');
}

function normalizeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out = { ...fields };
  const port = out['port'];
  if (typeof port === 'string' && /^\s*\d+\s*$/.test(port)) out['port'] = Number(port);
  return out;
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((t, i) => t === [...b].sort()[i]);
}

export function planDeviceImport(
  parsed: ParsedInventory,
  repo: DeviceRepository,
  defaultUser: string,
  checkKeyPath?: (keyPath: string) => void,
): DevicePlan {
  const rows: ImportRow[] = [...parsed.rows];
  const writes: PendingWrite[] = [];
  const firstLine = new Map<string, number | null>();

  for (const record of parsed.records) {
    const nameCheck = deviceNameSchema.safeParse(record.name);
    if (!nameCheck.success) {
      const why = nameCheck.error.issues[0]?.message ?? 'invalid';
      rows.push({
        line: record.line,
        name: record.name || null,
        action: 'rejected',
        reason: `"${record.name}" is not a usable device name: ${why}.`,
        changes: [],
      });
      continue;
    }
    const name = nameCheck.data;
    const key = name.toLowerCase();
    if (firstLine.has(key)) {
      rows.push({
        line: record.line,
        name,
        action: 'rejected',
        reason: `${name} appears twice in the file (first on line ${firstLine.get(key) ?? '?'}).`,
        changes: [],
      });
      continue;
    }
    firstLine.set(key, record.line);
    const fields = normalizeFields(record.fields);
    const existing = repo.byName(name);
    try {
      if (checkKeyPath !== undefined && typeof fields['keyPath'] === 'string')
        checkKeyPath(fields['keyPath']);
      if (existing === undefined) {
        const input: Record<string, unknown> = { name };
        for (const [k, v] of Object.entries(fields)) if (v !== null) input[k] = v;
        if (record.tags !== undefined) input['tags'] = record.tags;
        const parsedDevice = parseNewDevice(input, defaultUser);
        const row: ImportRow = {
          line: record.line,
          name,
          action: 'added',
          reason: record.note ?? null,
          changes: Object.keys(input).filter((k) => k !== 'name'),
        };
        rows.push(row);
        writes.push({ row, name, write: { kind: 'add', ...parsedDevice } });
      } else {
        const patch: Record<string, unknown> = { ...fields };
        if (record.tags !== undefined) patch['tags'] = record.tags;
        // The file's name keeps the stored spelling's case out of the diff.
        const next = applyPatch(existing, patch);
        next.fields.name = existing.name;
        const changes = changedFields(fieldsOf(existing), next.fields);
        if (next.tags !== undefined && !sameTags(next.tags, existing.tags)) changes.push('tags');
        if (changes.length === 0) {
          rows.push({
            line: record.line,
            name,
            action: 'unchanged',
            reason: record.note ?? null,
            changes: [],
          });
        } else {
          const row: ImportRow = {
            line: record.line,
            name,
            action: 'updated',
            reason: record.note ?? null,
            changes,
          };
          rows.push(row);
          writes.push({ row, name, write: { kind: 'update', id: existing.id, ...next } });
        }
      }
    } catch (err) {
      rows.push({ line: record.line, name, action: 'rejected', reason: rowReason(err), changes: [] });
    }
  }

  rejectBadJumps(rows, writes, repo);
  rows.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  const plan: DevicePlan = {
    rows,
    writes: writes.filter((w) => w.row.action !== 'rejected').map((w) => w.write),
    notes: parsed.notes,
  };
  if (parsed.fatal !== undefined) plan.fatal = parsed.fatal;
  return plan;
}

/**
 * Jump references must not loop, and must not point at a device the import rejected (that name would
 * silently turn into an unknown host name).
 */
function rejectBadJumps(rows: ImportRow[], writes: PendingWrite[], repo: DeviceRepository): void {
  const rejectedNames = new Set(
    rows.filter((r) => r.action === 'rejected' && r.name !== null).map((r) => (r.name ?? '').toLowerCase()),
  );
  const jumpOf = new Map<string, string | null>();
  for (const d of repo.list()) jumpOf.set(d.name.toLowerCase(), d.jump?.toLowerCase() ?? null);
  for (const w of writes) jumpOf.set(w.name.toLowerCase(), w.write.fields.jump?.toLowerCase() ?? null);

  for (const w of writes) {
    const row = w.row;
    const jump = w.write.fields.jump?.toLowerCase() ?? null;
    if (jump !== null && rejectedNames.has(jump) && !jumpOf.has(jump)) {
      Object.assign(row, {
        action: 'rejected',
        reason: `Its jump host ${w.write.fields.jump} was rejected in this import.`,
        changes: [],
      });
      continue;
    }
    const seen = [w.name.toLowerCase()];
    let next = jump;
    while (next !== null && jumpOf.has(next)) {
      if (seen.includes(next)) {
        Object.assign(row, {
          action: 'rejected',
          reason: `Its jump hosts form a loop (${[...seen, next].join(' → ')}).`,
          changes: [],
        });
        break;
      }
      seen.push(next);
      next = jumpOf.get(next) ?? null;
    }
  }
}

export function applyDevicePlan(repo: DeviceRepository, plan: DevicePlan, newId: () => string): void {
  const now = new Date().toISOString();
  repo.transaction(() => {
    for (const w of plan.writes) {
      if (w.kind === 'add') {
        repo.insert(newId(), w.fields, w.tags, now);
      } else {
        const before = repo.byId(w.id);
        repo.update(w.id, w.fields, now);
        if (w.tags !== undefined) repo.setTags(w.id, w.tags);
        // A new jump endpoint is a different host: its old pinned key no longer applies.
        if (before !== undefined && before.jump !== w.fields.jump) repo.setJumpHostKey(w.id, null);
      }
    }
  });
}

// -------------------------------------------------------------------------------------------------------
// known_hosts

type KeyWrite = { deviceId: string; role: 'device' | 'jump'; key: PinnedHostKey };
type KnownHostsPlan = { rows: ImportRow[]; writes: KeyWrite[] };

const keyPreference = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
];
function preference(keyType: string): number {
  const i = keyPreference.indexOf(keyType);
  return i < 0 ? keyPreference.length : i;
}

type Endpoint = {
  device: Device;
  role: 'device' | 'jump';
  host: string;
  port: number;
  pinned: PinnedHostKey | null;
};

/**
 * Pins keys of existing devices (and their ad-hoc jump hosts) from known_hosts lines that name their
 * host:port. A device with a different key already pinned is a conflict, never overwritten by a file.
 */
export function planKnownHostsImport(parsed: ParsedKnownHosts, repo: DeviceRepository): KnownHostsPlan {
  const devices = repo.list();
  const endpoints: Endpoint[] = [];
  for (const device of devices) {
    endpoints.push({ device, role: 'device', host: device.host, port: device.port, pinned: device.hostKey });
    const jump = resolveJump(device, (n) => repo.byName(n));
    if (jump.kind === 'adhoc') {
      endpoints.push({ device, role: 'jump', ...jump.endpoint, pinned: device.jumpHostKey });
    }
  }
  type LineOutcome = { pinned: string[]; unchanged: string[]; conflicts: string[]; elsewhere: string[] };
  const outcomes = new Map<number, LineOutcome>();
  const outcome = (line: number): LineOutcome => {
    let o = outcomes.get(line);
    if (o === undefined) {
      o = { pinned: [], unchanged: [], conflicts: [], elsewhere: [] };
      outcomes.set(line, o);
    }
    return o;
  };
  const writes: KeyWrite[] = [];
  const now = new Date().toISOString();

  for (const ep of endpoints) {
    const label = ep.role === 'jump' ? `${ep.device.name} (jump host)` : ep.device.name;
    const candidates = parsed.entries
      .filter((e) => entryMatches(e, ep.host, ep.port))
      .map((e) => ({ entry: e, key: parsePublicKey(e.publicKey) }))
      .sort((a, b) => preference(a.key.keyType) - preference(b.key.keyType) || a.entry.line - b.entry.line);
    const best = candidates[0];
    if (best === undefined) continue;
    const same =
      ep.pinned === null ? undefined : candidates.find((c) => c.key.publicKey === ep.pinned?.publicKey);
    const chosen = same ?? best;
    if (ep.pinned !== null && same === undefined) {
      for (const c of candidates) {
        outcome(c.entry.line).conflicts.push(
          `${label} already has ${ep.pinned.fingerprint} pinned, not ${c.key.fingerprint}; to replace it after checking the device, run: edgefleet devices trust ${ep.device.name} --fingerprint ${c.key.fingerprint}`,
        );
      }
      continue;
    }
    if (same !== undefined) outcome(same.entry.line).unchanged.push(label);
    else {
      outcome(best.entry.line).pinned.push(label);
      writes.push({
        deviceId: ep.device.id,
        role: ep.role,
        key: {
          publicKey: best.key.publicKey,
          keyType: best.key.keyType,
          fingerprint: best.key.fingerprint,
          pinnedAt: now,
        },
      });
    }
    for (const c of candidates) {
      if (c !== chosen)
        outcome(c.entry.line).elsewhere.push(
          `${label} uses its ${chosen.key.keyType} key from line ${chosen.entry.line}`,
        );
    }
  }

  const rows: ImportRow[] = [...parsed.rows];
  for (const entry of parsed.entries) {
    const o = outcomes.get(entry.line);
    const hashed = entry.patterns.every((p) => p.startsWith('|'));
    const shown = hashed ? null : entry.patterns.join(',');
    if (o === undefined) {
      rows.push({
        line: entry.line,
        name: shown,
        action: 'skipped',
        reason: hashed
          ? 'Hashed entry: it matches no device host:port (hashed entries can only pin keys of devices already added).'
          : `No device at ${entry.patterns.join(', ')}. Add the device first, then import its key.`,
        changes: [],
      });
    } else if (o.conflicts.length > 0) {
      rows.push({
        line: entry.line,
        name: shown,
        action: 'rejected',
        reason: o.conflicts.join('; '),
        changes: [],
      });
    } else if (o.pinned.length > 0) {
      rows.push({
        line: entry.line,
        name: o.pinned.join(', '),
        action: 'updated',
        reason: null,
        changes: ['hostKey'],
      });
    } else if (o.unchanged.length > 0) {
      rows.push({
        line: entry.line,
        name: o.unchanged.join(', '),
        action: 'unchanged',
        reason: null,
        changes: [],
      });
    } else {
      rows.push({
        line: entry.line,
        name: shown,
        action: 'skipped',
        reason: `${o.elsewhere.join('; ')}.`,
        changes: [],
      });
    }
  }
  rows.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { rows, writes };
}

export function applyKnownHostsPlan(repo: DeviceRepository, plan: KnownHostsPlan): void {
  repo.transaction(() => {
    for (const w of plan.writes) {
      if (w.role === 'device') repo.setHostKey(w.deviceId, w.key);
      else repo.setJumpHostKey(w.deviceId, w.key);
    }
  });
}

export function buildReport(
  format: ImportFormat,
  rows: ImportRow[],
  notes: string[],
  applied: boolean,
): ImportReport {
  const counts = { added: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0 };
  for (const r of rows) counts[r.action] += 1;
  return { format, applied, counts, rows, notes };
}
