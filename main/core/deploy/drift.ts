import { randomBytes } from 'node:crypto';
import { AppError, toAppError } from '../../../shared/errors';
import type {
  DeviceRelease,
  DriftReport,
  DriftResult,
  DriftState,
  ReleaseManifest,
  ReleaseRef,
} from '../../../shared/schemas/deploy';
import { runBounded, type ConnectionPool } from '../fleet/ssh';
import { assertDeployRoot, releaseFromLink } from './layout';
import { parseManifest } from './executor';
import { readStateScript, splitSections } from './remote-scripts';
import type { DeployTarget } from './types';

/**
 * Drift check: what each device says it runs (its `current` link, manifest and the file's sha256, read in
 * one round trip), compared with what the database believes. Reading never changes a device.
 */

type ObservedModel = {
  modelName: string;
  /** Raw link target of `current` (`releases/…` for EdgeFleet's). */
  link: string | null;
  previousLink: string | null;
  fileSha256: string | null;
  manifestText: string | null;
};

export type DeviceState = { target: DeployTarget; models: ObservedModel[] };

async function readDeviceState(
  target: DeployTarget,
  pool: ConnectionPool,
  signal?: AbortSignal,
): Promise<DeviceState> {
  assertDeployRoot(target.deployRoot, target.deviceName);
  const conn = await pool.get(target.ssh);
  const tag = randomBytes(6).toString('hex');
  const result = await conn.exec({ script: readStateScript, args: [target.deployRoot, tag] }, { signal });
  if (result.code !== 0) {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `Reading the deploy root ${target.deployRoot} on ${target.deviceName} failed: ${result.stderr.trim() || `exit ${result.code}`}.`,
    );
  }
  const sections = splitSections(result.stdout, tag);
  if (sections.at(-1)?.name !== 'end') {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      `The state of ${target.deviceName} was cut short (no end marker). The connection may have dropped; retry.`,
    );
  }
  const models: ObservedModel[] = [];
  let cur: ObservedModel | null = null;
  for (const s of sections) {
    if (s.name === 'model') {
      cur = { modelName: s.text, link: null, previousLink: null, fileSha256: null, manifestText: null };
      models.push(cur);
    } else if (cur !== null) {
      if (s.name === 'link') cur.link = s.text === '' ? null : s.text;
      else if (s.name === 'previous') cur.previousLink = s.text === '' ? null : s.text;
      else if (s.name === 'sha256')
        cur.fileSha256 = /^[0-9a-f]{64}$/.test(s.text.trim()) ? s.text.trim() : null;
      else if (s.name === 'manifest') cur.manifestText = s.text;
    }
  }
  return { target, models };
}

type Classified = Omit<DriftResult, 'adopted'> & { manifest: ReleaseManifest | null };

/** One (device, model): the first rule that applies decides the state. */
function classify(
  target: DeployTarget,
  modelName: string,
  expected: DeviceRelease | undefined,
  observed: ObservedModel | undefined,
): Classified | null {
  const exp = expected?.current ?? null;
  const manifest = parseManifest(observed?.manifestText ?? null);
  const base = {
    deviceId: target.deviceId,
    deviceName: target.deviceName,
    modelName,
    expected: exp,
    observed: {
      release: observed === undefined ? null : (releaseFromLink(observed.link) ?? observed.link),
      manifestSha256: manifest?.sha256 ?? null,
      fileSha256: observed?.fileSha256 ?? null,
      manifest: manifest ?? rawManifest(observed?.manifestText ?? null),
    },
    manifest,
  };
  const result = (state: DriftState, message: string): Classified => ({ ...base, state, message });

  if (observed === undefined || observed.fileSha256 === null) {
    if (exp === null) {
      if (observed === undefined) return null;
      return result(
        'unknown',
        `${modelName}: current points to ${observed.link ?? 'nothing'}, which has no model file, and EdgeFleet deployed nothing here.`,
      );
    }
    return result(
      'missing',
      observed === undefined
        ? `${modelName}: EdgeFleet deployed ${exp.release}, but the device has no current release.`
        : `${modelName}: EdgeFleet deployed ${exp.release}, but current points to ${observed.link ?? 'nothing'} and its model file is gone.`,
    );
  }
  if (manifest === null) {
    return result(
      'unknown',
      `${modelName}: current (${observed.link ?? '?'}) holds a model without an EdgeFleet manifest: it was put there by hand or by another tool.`,
    );
  }
  if (manifest.sha256 !== observed.fileSha256) {
    return result(
      'modified',
      `${modelName}: the active file's sha256 is ${observed.fileSha256.slice(0, 12)}…, its manifest says ${manifest.sha256.slice(0, 12)}… (${manifest.release}): the file was changed on the device. Deploy again to repair it.`,
    );
  }
  if (exp === null) {
    return result(
      'unknown',
      `${modelName}: the device runs ${manifest.release} (deployed by ${manifest.deployedBy} at ${manifest.deployedAt}), which this EdgeFleet has no record of.`,
    );
  }
  if (manifest.release !== exp.release || (exp.sha256 !== null && manifest.sha256 !== exp.sha256)) {
    return result(
      'different_version',
      `${modelName}: the device runs ${manifest.release}, EdgeFleet expected ${exp.release}.`,
    );
  }
  return result('in_sync', `${modelName}: runs ${exp.release} as recorded; the file matches its sha256.`);
}

function rawManifest(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export type DriftOptions = {
  /** Only these models (default: every model the device has or the database expects there). */
  models?: readonly string[];
  concurrency?: number;
  signal?: AbortSignal;
};

type DriftInput = {
  targets: readonly DeployTarget[];
  pool: ConnectionPool;
  expectedFor: (deviceId: string) => DeviceRelease[];
};

export async function checkDrift(
  input: DriftInput,
  options: DriftOptions = {},
): Promise<{ report: Omit<DriftReport, 'results'> & { results: Classified[] }; states: DeviceState[] }> {
  const checkedAt = new Date().toISOString();
  const wanted = options.models === undefined ? null : new Set(options.models);
  const outcomes = await runBounded(
    input.targets,
    options.concurrency ?? 16,
    (target, { signal }) => readDeviceState(target, input.pool, signal),
    { signal: options.signal },
  );
  const results: Classified[] = [];
  const errors: DriftReport['errors'] = [];
  const states: DeviceState[] = [];
  for (const o of outcomes) {
    if (!o.ok) {
      errors.push({
        deviceId: o.item.deviceId,
        deviceName: o.item.deviceName,
        error: toAppError(o.error).toData(),
      });
      continue;
    }
    states.push(o.value);
    const expected = new Map(input.expectedFor(o.item.deviceId).map((r) => [r.modelName, r]));
    const observed = new Map(o.value.models.map((m) => [m.modelName, m]));
    const names = [...new Set([...expected.keys(), ...observed.keys()])]
      .filter((n) => wanted === null || wanted.has(n))
      .sort();
    for (const name of names) {
      const c = classify(o.item, name, expected.get(name), observed.get(name));
      if (c !== null) results.push(c);
    }
  }
  return { report: { checkedAt, results, errors }, states };
}

/** The record a reconcile writes: what the device runs, with whatever the database knows about previous. */
export function adoptedRelease(
  c: Classified,
  target: DeployTarget,
  observed: ObservedModel | undefined,
  existing: DeviceRelease | undefined,
  knownRef: (row: DeviceRelease | undefined, release: string) => ReleaseRef | null,
): DeviceRelease | null {
  const updatedAt = new Date().toISOString();
  const previousName = observed === undefined ? null : (releaseFromLink(observed.previousLink) ?? null);
  const previous =
    previousName === null
      ? null
      : (knownRef(existing, previousName) ?? {
          release: previousName,
          sha256: null,
          variantId: null,
          version: null,
        });
  const base = {
    deviceId: target.deviceId,
    deviceName: target.deviceName,
    deployRoot: target.deployRoot,
    modelName: c.modelName,
    source: 'drift' as const,
    deploymentId: null,
    updatedAt,
  };
  if (
    (c.state === 'different_version' || c.state === 'unknown') &&
    c.manifest !== null &&
    c.manifest.sha256 === c.observed.fileSha256
  ) {
    return {
      ...base,
      current: {
        release: c.manifest.release,
        sha256: c.manifest.sha256,
        variantId: c.manifest.variantId,
        version: c.manifest.version,
      },
      previous,
    };
  }
  if (c.state === 'missing') return { ...base, current: null, previous: existing?.previous ?? previous };
  return null;
}
