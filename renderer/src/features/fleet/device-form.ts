import type { z } from 'zod';
import type { AppError } from '../../../../shared/errors';
import {
  defaultDeployRoot,
  deviceInputSchema,
  type AuthMethod,
  type Device,
  type DeviceInput,
  type DevicePatch,
} from '../../../../shared/schemas/fleet';

/** What the add/edit dialog holds: text as typed; empty optional fields mean "none" (or the default). */
export type DeviceFormValues = {
  name: string;
  host: string;
  port: number | string;
  /** Empty when adding: main's user, as OpenSSH does. */
  user: string;
  authMethod: AuthMethod;
  keyPath: string;
  jump: string;
  tags: string[];
  profile: string;
  deployRoot: string;
  restartCmd: string;
  healthCmd: string;
  notes: string;
};

type DeviceField = keyof DeviceFormValues;
export type FieldErrors = Partial<Record<DeviceField, string>>;

const fields: readonly DeviceField[] = [
  'name',
  'host',
  'port',
  'user',
  'authMethod',
  'keyPath',
  'jump',
  'tags',
  'profile',
  'deployRoot',
  'restartCmd',
  'healthCmd',
  'notes',
];

function isField(key: unknown): key is DeviceField {
  return typeof key === 'string' && (fields as readonly string[]).includes(key);
}

export function emptyValues(): DeviceFormValues {
  return {
    name: '',
    host: '',
    port: 22,
    user: '',
    authMethod: 'key',
    keyPath: '',
    jump: '',
    tags: [],
    profile: '',
    deployRoot: defaultDeployRoot,
    restartCmd: '',
    healthCmd: '',
    notes: '',
  };
}

export function valuesOf(device: Device): DeviceFormValues {
  return {
    name: device.name,
    host: device.host,
    port: device.port,
    user: device.user,
    authMethod: device.authMethod,
    keyPath: device.keyPath ?? '',
    jump: device.jump ?? '',
    tags: [...device.tags],
    profile: device.profile ?? '',
    deployRoot: device.deployRoot,
    restartCmd: device.restartCmd ?? '',
    healthCmd: device.healthCmd ?? '',
    notes: device.notes ?? '',
  };
}

/** The first problem of each field, in the words of the contract's schemas (the same ones main checks). */
function errorsOf(issues: readonly z.core.$ZodIssue[], values: DeviceFormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const [key, index] = issue.path;
    const field: DeviceField = isField(key) ? key : 'name';
    if (errors[field] !== undefined) continue;
    const tag = field === 'tags' && typeof index === 'number' ? values.tags[index] : undefined;
    errors[field] = tag === undefined ? issue.message : `“${tag}”: ${issue.message}`;
  }
  return errors;
}

const blank = (s: string) => s.trim() === '';

function parsePort(port: number | string): number | string {
  if (typeof port === 'number') return port;
  const trimmed = port.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

type Parsed = z.output<typeof deviceInputSchema>;
type FormCheck<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * The form as a `devices.add` request, checked with the contract's schema first so most mistakes show at
 * the field before anything is sent. Empty optional fields are left out (main fills in the defaults).
 */
export function toInput(values: DeviceFormValues): FormCheck<DeviceInput> {
  const errors: FieldErrors = {};
  // An empty required field says "required", not the format rule a value would have to follow.
  if (blank(values.name)) errors.name = 'required';
  if (blank(values.host)) errors.host = 'required';
  const port = parsePort(values.port);
  if (typeof port === 'string')
    errors.port = port === '' ? 'required (22 for SSH)' : 'the port must be a whole number';
  if (values.authMethod === 'key' && blank(values.keyPath)) {
    errors.keyPath = 'required: the private key file, as a path on the machine EdgeFleet runs on';
  }
  const input: DeviceInput = {
    name: values.name,
    host: values.host,
    ...(typeof port === 'number' ? { port } : {}),
    ...(blank(values.user) ? {} : { user: values.user }),
    authMethod: values.authMethod,
    ...(values.authMethod === 'key' && !blank(values.keyPath) ? { keyPath: values.keyPath } : {}),
    ...(blank(values.jump) ? {} : { jump: values.jump }),
    tags: values.tags,
    ...(blank(values.profile) ? {} : { profile: values.profile }),
    ...(blank(values.deployRoot) ? {} : { deployRoot: values.deployRoot }),
    ...(blank(values.restartCmd) ? {} : { restartCmd: values.restartCmd }),
    ...(blank(values.healthCmd) ? {} : { healthCmd: values.healthCmd }),
    ...(blank(values.notes) ? {} : { notes: values.notes }),
  };
  const parsed = deviceInputSchema.safeParse(input);
  const all = parsed.success ? errors : { ...errorsOf(parsed.error.issues, values), ...errors };
  return Object.keys(all).length > 0 ? { ok: false, errors: all } : { ok: true, value: input };
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((t, i) => t === y[i]);
}

/**
 * Only what changed, as a `devices.update` patch: renaming a device or editing one field never rewrites the
 * others (another window or the CLI may have changed them). A cleared optional field becomes null.
 */
export function toPatch(values: DeviceFormValues, device: Device): FormCheck<DevicePatch> {
  if (blank(values.user)) return { ok: false, errors: { user: 'required: the user to log in as' } };
  const checked = toInput(values);
  if (!checked.ok) return checked;
  // The schema's own output (trimmed, brackets stripped), so "pi-1 " and "pi-1" are the same name.
  const p: Parsed = deviceInputSchema.parse(checked.value);
  const patch: DevicePatch = {};
  if (p.name !== device.name) patch.name = p.name;
  if (p.host !== device.host) patch.host = p.host;
  if (p.port !== undefined && p.port !== device.port) patch.port = p.port;
  if (p.user !== undefined && p.user !== device.user) patch.user = p.user;
  if (p.authMethod !== undefined && p.authMethod !== device.authMethod) patch.authMethod = p.authMethod;
  const keyPath = p.keyPath ?? null;
  if (p.authMethod === 'key' && keyPath !== device.keyPath) patch.keyPath = keyPath;
  const optional = (['jump', 'profile', 'restartCmd', 'healthCmd', 'notes'] as const).map(
    (k) => [k, p[k] ?? null] as const,
  );
  for (const [key, value] of optional) if (value !== device[key]) patch[key] = value;
  const deployRoot = p.deployRoot ?? defaultDeployRoot;
  if (deployRoot !== device.deployRoot) patch.deployRoot = deployRoot;
  const tags = p.tags ?? [];
  if (!sameTags(tags, device.tags)) patch.tags = tags;
  return { ok: true, value: patch };
}

/**
 * Main's refusal as field errors where it names a field: BAD_REQUEST issues (paths of `devices.add`, or
 * under `patch` for `devices.update`) and NAME_TAKEN. Whatever names no field stays in `rest`.
 */
export function serverErrors(error: AppError): { fields: FieldErrors; rest: string | null } {
  if (error.code === 'NAME_TAKEN') return { fields: { name: error.message }, rest: null };
  const details = error.details;
  const issues =
    error.code === 'BAD_REQUEST' && typeof details === 'object' && details !== null && 'issues' in details
      ? (details as { issues: unknown }).issues
      : undefined;
  if (!Array.isArray(issues)) return { fields: {}, rest: error.message };
  const found: FieldErrors = {};
  const rest: string[] = [];
  for (const issue of issues as Array<{ path?: unknown; message?: unknown }>) {
    const path = Array.isArray(issue.path) ? issue.path.map(String) : [];
    const key = path[0] === 'patch' ? path[1] : path[0];
    const message = typeof issue.message === 'string' ? issue.message : 'invalid';
    if (isField(key)) found[key] ??= message;
    else rest.push(message);
  }
  return {
    fields: found,
    rest: rest.length > 0 || Object.keys(found).length === 0 ? (rest[0] ?? error.message) : null,
  };
}

/** The fields in the order the form shows them: the first with an error gets the focus. */
const fieldOrder: readonly DeviceField[] = [
  'name',
  'tags',
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
];

export function firstErrorField(errors: FieldErrors): DeviceField | null {
  return fieldOrder.find((f) => errors[f] !== undefined) ?? null;
}

/** The profile suggestions: the built-in catalog, then names this fleet uses that are not in it. */
export function profileGroups(
  catalog: readonly string[],
  used: readonly string[],
): { group: string; items: string[] }[] {
  const own = used.filter((p) => !catalog.includes(p));
  return [
    { group: 'Hardware profiles', items: [...catalog] },
    ...(own.length > 0 ? [{ group: 'Used in this fleet', items: own }] : []),
  ];
}
