import type { Params } from '../../../../shared/contract';
import type { Model } from '../../../../shared/schemas/models';
import { modelRows } from '../models/model-tree';

export type StopKind = 'iterations' | 'duration';

/** The Benchmark page's choices, as the form holds them (numbers may be missing while typed). */
export type BenchForm = {
  /** null until the user picks: then the newest model and its variants are the natural candidates. */
  modelIds: readonly string[] | null;
  /** Measure on this machine (child process per variant). */
  local: boolean;
  profileIds: readonly string[];
  deviceNames: readonly string[];
  /** null: every core of the target. */
  threads: number | null;
  stopKind: StopKind;
  iterations: number | null;
  durationS: number | null;
  /** Values of symbolic dimensions, by name. */
  dims: Readonly<Record<string, number | null>>;
};

const defaultIterations = 100;
const defaultDurationS = 2;

export function defaultForm(): BenchForm {
  return {
    modelIds: null,
    local: true,
    profileIds: [],
    deviceNames: [],
    threads: null,
    stopKind: 'duration',
    iterations: defaultIterations,
    durationS: defaultDurationS,
    dims: {},
  };
}

/** A model and every variant under it, parent first (the library's order). */
export function familyOf(models: readonly Model[], id: string): string[] {
  const rows = modelRows(models);
  const start = rows.findIndex((r) => r.model.id === id);
  const first = rows[start];
  if (!first) return [];
  const out = [first.model.id];
  for (const row of rows.slice(start + 1)) {
    if (row.depth <= first.depth) break;
    out.push(row.model.id);
  }
  return out;
}

/**
 * What `/benchmark?model=<id>` picks: the model with every variant under it and, for a variant, its parent
 * too — a variant's figures mean most next to the model it was made from. Empty for an unknown id.
 */
export function linkSelection(models: readonly Model[], id: string): string[] {
  const family = familyOf(models, id);
  const parentId = models.find((m) => m.id === id)?.parentId ?? null;
  if (family.length === 0 || parentId === null || !models.some((m) => m.id === parentId)) return family;
  return [parentId, ...family];
}

/** Until the user picks: the newest imported model with all its variants (what people compare first). */
export function defaultSelection(models: readonly Model[]): string[] {
  const first = modelRows(models)[0];
  return first ? familyOf(models, first.model.id) : [];
}

/** The picked ids that still exist, in the library's order. */
export function selectedModels(models: readonly Model[], ids: readonly string[]): Model[] {
  const wanted = new Set(ids);
  return modelRows(models)
    .map((r) => r.model)
    .filter((m) => wanted.has(m.id));
}

/**
 * A named free dimension of the picked models' inputs. The runner sets a symbolic leading (batch) dimension to 1
 * when no value is given; a symbol anywhere else must be given.
 */
type FreeDim = { name: string; required: boolean; inputs: string[] };

/**
 * An input with an unnamed free dimension past the batch axis, or no shape at all: the form has no field to
 * size it (the CLI's --shape can), so the page offers to leave that model out of the run.
 */
type UnnamedDim = { modelId: string; model: string; input: string };

export function freeDims(models: readonly Model[]): { named: FreeDim[]; unnamed: UnnamedDim[] } {
  const named = new Map<string, FreeDim>();
  const unnamed: UnnamedDim[] = [];
  for (const model of models) {
    // The runner sets a symbol found at any input's axis 0 to 1 everywhere in that model.
    const batchSymbols = new Set(
      model.summary.inputs.flatMap((i) => (typeof i.shape?.[0] === 'string' ? [i.shape[0]] : [])),
    );
    for (const input of model.summary.inputs) {
      if (input.shape === null) {
        unnamed.push({ modelId: model.id, model: model.name, input: input.name });
        continue;
      }
      let unnamedHere = false;
      input.shape.forEach((dim, axis) => {
        if (typeof dim === 'string') {
          const entry = named.get(dim) ?? { name: dim, required: false, inputs: [] };
          if (!batchSymbols.has(dim)) entry.required = true;
          if (!entry.inputs.includes(input.name)) entry.inputs.push(input.name);
          named.set(dim, entry);
        } else if (dim === null && axis > 0) {
          unnamedHere = true;
        }
      });
      if (unnamedHere) unnamed.push({ modelId: model.id, model: model.name, input: input.name });
    }
  }
  return { named: [...named.values()], unnamed };
}

export function hasTarget(form: BenchForm): boolean {
  return form.local || form.profileIds.length > 0 || form.deviceNames.length > 0;
}

/** Why the form cannot run yet (shown next to the Run button), or null. */
export function blocker(form: BenchForm, picked: readonly Model[]): string | null {
  if (picked.length === 0) return 'Pick at least one model or variant.';
  if (!hasTarget(form)) return 'Pick a target: this machine, a hardware profile or a device.';
  const { named, unnamed } = freeDims(picked);
  const first = unnamed[0];
  if (first) {
    return `Input '${first.input}' of ${first.model} has a free dimension without a name, which this form cannot size: leave ${first.model} out (under Settings).`;
  }
  const missing = named.filter((d) => d.required && !isPositiveInt(form.dims[d.name]));
  if (missing.length > 0) {
    return `Set ${missing.map((d) => d.name).join(', ')}: the input${missing.length > 1 ? 's have' : ' has'} free dimensions.`;
  }
  if (form.threads !== null && !isPositiveInt(form.threads)) return 'Threads must be a whole number ≥ 1.';
  if (form.stopKind === 'iterations' && !isPositiveInt(form.iterations)) {
    return 'Iterations must be a whole number ≥ 1.';
  }
  if (form.stopKind === 'duration' && !(form.durationS !== null && form.durationS > 0)) {
    return 'Duration must be more than 0 seconds.';
  }
  return null;
}

function isPositiveInt(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/** The `bench.run` request for a form that passed `blocker`. */
export function buildRunParams(form: BenchForm, picked: readonly Model[]): Params<'bench.run'> {
  const names = new Set(freeDims(picked).named.map((d) => d.name));
  const dims = Object.fromEntries(
    Object.entries(form.dims).filter(
      (entry): entry is [string, number] => names.has(entry[0]) && isPositiveInt(entry[1]),
    ),
  );
  return {
    models: picked.map((m) => m.id),
    local: form.local,
    ...(form.profileIds.length > 0 ? { profiles: [...form.profileIds] } : {}),
    ...(form.deviceNames.length > 0 ? { devices: [...form.deviceNames] } : {}),
    ...(form.threads === null ? {} : { threads: form.threads }),
    ...(form.stopKind === 'iterations'
      ? { iterations: form.iterations ?? defaultIterations }
      : { durationS: form.durationS ?? defaultDurationS }),
    ...(Object.keys(dims).length > 0 ? { dims } : {}),
  };
}
