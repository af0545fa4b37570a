import type { z } from 'zod';
import { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import { defaultDeployRoot, deviceInputSchema, devicePatchSchema } from '../../../../shared/schemas/fleet';
import type { DeviceFields } from './device-repository';

export type ParsedDevice = { fields: DeviceFields; tags: string[] };

const fieldLabels: Record<string, string> = {
  name: 'name',
  host: 'host',
  port: 'port',
  user: 'user',
  authMethod: 'auth method',
  keyPath: 'key path',
  jump: 'jump host',
  tags: 'tag',
  profile: 'profile',
  deployRoot: 'deploy root',
  restartCmd: 'restart command',
  healthCmd: 'health-check command',
  notes: 'notes',
};

/** "Invalid device pi-1: port: the port must be from 1 to 65535." — one sentence per problem. */
function invalidDevice(error: z.ZodError, who: string | undefined): AppError {
  const problems = error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const label = fieldLabels[field] ?? field;
    const unknownKey =
      issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : null;
    return unknownKey ?? (label === '' ? issue.message : `${label}: ${issue.message}`);
  });
  return new AppError(
    'BAD_REQUEST',
    `Invalid device${who === undefined ? '' : ` ${who}`}: ${problems.join('; ')}. Correct it and retry.`,
    { issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
  );
}

function dedupe(tags: readonly string[]): string[] {
  return [...new Set(tags)].sort();
}

function resolveAuth(
  method: Device['authMethod'] | undefined,
  keyPath: string | null | undefined,
  previous: Pick<DeviceFields, 'authMethod' | 'keyPath'> | undefined,
  who: string,
): Pick<DeviceFields, 'authMethod' | 'keyPath'> {
  const authMethod =
    method ?? (keyPath !== undefined && keyPath !== null ? 'key' : (previous?.authMethod ?? 'agent'));
  if (authMethod !== 'key') return { authMethod, keyPath: null };
  const path = keyPath !== undefined ? keyPath : (previous?.keyPath ?? null);
  if (path === null) {
    throw new AppError(
      'BAD_REQUEST',
      `Device ${who} uses key authentication but has no key file. Give the private key's path (--key PATH), or use --agent.`,
    );
  }
  return { authMethod, keyPath: path };
}

function assertNotOwnJump(fields: DeviceFields): void {
  if (fields.jump !== null && fields.jump.toLowerCase() === fields.name.toLowerCase()) {
    throw new AppError(
      'BAD_REQUEST',
      `Device ${fields.name} cannot be its own jump host. Choose another device.`,
    );
  }
}

/** A new device from user input, with the defaults filled in. */
export function parseNewDevice(input: unknown, defaultUser: string): ParsedDevice {
  const parsed = deviceInputSchema.safeParse(input);
  if (!parsed.success) {
    const name = (input as { name?: unknown } | null)?.name;
    throw invalidDevice(parsed.error, typeof name === 'string' ? name : undefined);
  }
  const d = parsed.data;
  const fields: DeviceFields = {
    name: d.name,
    host: d.host,
    port: d.port ?? 22,
    user: d.user ?? defaultUser,
    ...resolveAuth(d.authMethod, d.keyPath, undefined, d.name),
    jump: d.jump ?? null,
    profile: d.profile ?? null,
    deployRoot: d.deployRoot ?? defaultDeployRoot,
    restartCmd: emptyToNull(d.restartCmd),
    healthCmd: emptyToNull(d.healthCmd),
    notes: emptyToNull(d.notes),
  };
  assertNotOwnJump(fields);
  return { fields, tags: dedupe(d.tags ?? []) };
}

/** The fields after a patch; `tags` only when the patch sets them. */
export function applyPatch(existing: Device, patch: unknown): { fields: DeviceFields; tags?: string[] } {
  const parsed = devicePatchSchema.safeParse(patch);
  if (!parsed.success) throw invalidDevice(parsed.error, existing.name);
  const p = parsed.data;
  const pick = <K extends keyof DeviceFields>(key: K, value: DeviceFields[K] | undefined): DeviceFields[K] =>
    value === undefined ? existing[key] : value;
  const fields: DeviceFields = {
    name: pick('name', p.name),
    host: pick('host', p.host),
    port: pick('port', p.port),
    user: pick('user', p.user),
    ...resolveAuth(p.authMethod, p.keyPath, existing, existing.name),
    jump: pick('jump', p.jump),
    profile: pick('profile', p.profile),
    deployRoot: pick('deployRoot', p.deployRoot),
    restartCmd: p.restartCmd === undefined ? existing.restartCmd : emptyToNull(p.restartCmd),
    healthCmd: p.healthCmd === undefined ? existing.healthCmd : emptyToNull(p.healthCmd),
    notes: p.notes === undefined ? existing.notes : emptyToNull(p.notes),
  };
  assertNotOwnJump(fields);
  return p.tags === undefined ? { fields } : { fields, tags: dedupe(p.tags) };
}

function emptyToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

const editableFields = [
  'name',
  'host',
  'port',
  'user',
  'authMethod',
  'keyPath',
  'jump',
  'profile',
  'deployRoot',
  'restartCmd',
  'healthCmd',
  'notes',
] as const satisfies readonly (keyof DeviceFields)[];

/** Names of the fields that differ, for "updated: host, port" in reports. */
export function changedFields(before: DeviceFields, after: DeviceFields): string[] {
  return editableFields.filter((k) => before[k] !== after[k]);
}

export function fieldsOf(device: Device): DeviceFields {
  const out = {} as Record<string, unknown>;
  for (const k of editableFields) out[k] = device[k];
  return out as DeviceFields;
}
