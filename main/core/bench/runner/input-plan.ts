import { AppError } from '../../../../shared/errors';
import type { BenchInput } from '../../../../shared/schemas/bench';
import { benchDtypeSchema } from '../../../../shared/schemas/bench';
import { assertUsableSampleDims } from '../../onnx/input-dims';
import type { TensorInfo } from '../../../../shared/schemas/models';

/** How the user fixes a model's free dimensions for a benchmark. */
export type DimOverrides = {
  /** By symbolic dimension name, e.g. { height: 48 } (CLI: --dim height=48). */
  dims?: Readonly<Record<string, number>>;
  /** Whole shape by input name; wins over `dims` (CLI: --shape x=1,3,48,192). */
  shapes?: Readonly<Record<string, readonly number[]>>;
};

const dimText = (d: number | string | null) => (d === null ? '?' : String(d));

/**
 * Concrete dtype and dims for every model input. A symbolic or unknown leading (batch) dimension defaults to 1
 * (and so does the same symbol elsewhere); any other free dimension must be given, or DIM_REQUIRED names it.
 */
export function resolveInputs(inputs: readonly TensorInfo[], overrides: DimOverrides = {}): BenchInput[] {
  const names = new Set(inputs.map((i) => i.name));
  for (const name of Object.keys(overrides.shapes ?? {})) {
    if (!names.has(name)) {
      throw new AppError(
        'BAD_REQUEST',
        `--shape names "${name}", which is not an input of this model (inputs: ${[...names].join(', ')}).`,
      );
    }
  }
  const values = new Map<string, number>(Object.entries(overrides.dims ?? {}));
  for (const [name, v] of values) {
    if (!Number.isInteger(v) || v < 1) {
      throw new AppError('BAD_REQUEST', `Dimension ${name}=${v} is not a positive whole number.`);
    }
  }
  // A batch symbol defaults to 1 wherever it appears.
  for (const input of inputs) {
    const d0 = input.shape?.[0];
    if (typeof d0 === 'string' && !values.has(d0)) values.set(d0, 1);
  }

  const missing: string[] = [];
  const resolved = inputs.map((input): BenchInput => {
    const dtype = benchDtypeSchema.safeParse(input.elemType);
    if (!dtype.success) {
      throw new AppError(
        'MODEL_UNSUPPORTED',
        `Input '${input.name}' is ${input.elemType}: benchmarks feed numeric and bool tensors only.`,
      );
    }
    const given = overrides.shapes?.[input.name];
    if (given) return { name: input.name, dtype: dtype.data, dims: checkGivenShape(input, given) };
    if (input.shape === null) {
      missing.push(
        `input '${input.name}' declares no shape: give it whole with --shape ${input.name}=<d0,d1,…>`,
      );
      return { name: input.name, dtype: dtype.data, dims: [] };
    }
    const dims = input.shape.map((d, axis) => {
      if (typeof d === 'number') return d;
      if (typeof d === 'string') {
        const v = values.get(d);
        if (v !== undefined) return v;
        missing.push(
          `input '${input.name}' has symbolic dimension '${d}' (axis ${axis}) with no value: set it with --dim ${d}=<size>`,
        );
        return 0;
      }
      if (axis === 0) return 1;
      missing.push(
        `axis ${axis} of input '${input.name}' has no size: give the whole shape with --shape ${input.name}=${input.shape
          ?.map((x, i) => (i === 0 && typeof x !== 'number' ? '1' : dimText(x)))
          .join(',')}`,
      );
      return 0;
    });
    return { name: input.name, dtype: dtype.data, dims };
  });
  if (missing.length > 0) {
    throw new AppError(
      'DIM_REQUIRED',
      `The model has free dimensions without a value: ${missing.join('; ')}. ` +
        'Only a leading batch dimension defaults to 1.',
      { missing },
    );
  }
  for (const input of resolved) {
    const declared = inputs.find((i) => i.name === input.name)?.shape ?? null;
    const fixed = declared !== null && input.dims.every((d, axis) => declared[axis] === d);
    assertUsableSampleDims(
      input.name,
      input.dims,
      fixed
        ? 'The model declares this size: re-export it with the real input size.'
        : `Give a usable size: --shape ${input.name}=<d0,d1,…> (or --dim NAME=SIZE for a symbolic dimension).`,
    );
  }
  return resolved;
}

function checkGivenShape(input: TensorInfo, given: readonly number[]): number[] {
  if (!given.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new AppError('BAD_REQUEST', `--shape ${input.name}: dimensions must be whole numbers ≥ 0.`);
  }
  const declared = input.shape;
  if (declared !== null) {
    const fits =
      declared.length === given.length && declared.every((d, i) => typeof d !== 'number' || d === given[i]);
    if (!fits) {
      throw new AppError(
        'BAD_REQUEST',
        `--shape ${input.name}=${given.join(',')} does not fit the declared shape [${declared.map(dimText).join(',')}].`,
      );
    }
  }
  return [...given];
}

/** Parses CLI values: "H=48" → ['H', 48]; "x=1,3,48,192" → ['x', [1,3,48,192]]. */
export function parseDimArg(text: string): [string, number] {
  const at = text.lastIndexOf('=');
  const name = text.slice(0, at).trim();
  const value = Number(text.slice(at + 1));
  if (at <= 0 || name === '' || !Number.isInteger(value) || value < 1) {
    throw new AppError('USAGE', `--dim expects NAME=SIZE with a positive whole size, not "${text}".`);
  }
  return [name, value];
}

export function parseShapeArg(text: string): [string, number[]] {
  const at = text.lastIndexOf('=');
  const name = text.slice(0, at).trim();
  const dims = text
    .slice(at + 1)
    .split(/[,x×]/)
    .map((s) => Number(s.trim()));
  if (at <= 0 || name === '' || dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new AppError('USAGE', `--shape expects INPUT=D0,D1,… with whole numbers, not "${text}".`);
  }
  return [name, dims];
}
