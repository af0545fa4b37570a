import type { ModelProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import { elemTypeName, valueShapeFromType, type Dim } from '../../onnx';
import { isNpyElementType, numpyDtypeName, type NpyElementType } from './npy-format';

/** A graph input the data must feed (initializers listed as inputs are not fed). */
export type InputSpec = {
  name: string;
  /** EdgeFleet's element type name: 'float32', 'int64' … */
  type: string;
  /** Declared dims; null when the model declares no shape. */
  dims: Dim[] | null;
};

export function modelInputs(model: ModelProto): InputSpec[] {
  const graph = model.graph;
  if (!graph) throw new AppError('MODEL_INVALID', 'The model has no graph: re-export it.');
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const inputs: InputSpec[] = [];
  for (const vi of graph.input) {
    if (initializers.has(vi.name)) continue;
    if (vi.type?.value.case !== 'tensorType') {
      throw new AppError(
        'MODEL_UNSUPPORTED',
        `Input '${vi.name}' is not a tensor (${vi.type?.value.case ?? 'no type'}): calibration data can only feed tensors.`,
      );
    }
    const { elemType, shape } = valueShapeFromType(vi.type);
    inputs.push({ name: vi.name, type: elemTypeName(elemType), dims: shape });
  }
  if (inputs.length === 0) {
    throw new AppError(
      'MODEL_UNSUPPORTED',
      'The model has no inputs to feed: there is nothing to calibrate.',
    );
  }
  return inputs;
}

/** The element type an input needs, or a clear refusal for types .npy data cannot carry. */
export function npyTypeOf(input: InputSpec): NpyElementType {
  if (isNpyElementType(input.type)) return input.type;
  throw new AppError(
    'MODEL_UNSUPPORTED',
    `Input '${input.name}' is ${input.type}: sample data is read for float16/32/64, (u)int8/16/32/64 and bool inputs only.`,
  );
}

/** The leading dim may be left out of a sample (and must be 1 when present) if the model declares it 1 or symbolic. */
function batchOptional(input: InputSpec): boolean {
  const d0 = input.dims?.[0];
  return input.dims !== null && input.dims.length > 0 && (d0 === 1 || typeof d0 !== 'number');
}

const dimText = (d: Dim) => (d === null ? '?' : String(d));

/** "float32 [1,3,32,32] (batch 1 optional)". */
export function describeExpected(input: InputSpec): string {
  if (input.dims === null) return `${input.type} (any shape)`;
  const shape = `[${input.dims.map(dimText).join(',')}]`;
  if (!batchOptional(input)) return `${input.type} ${shape}`;
  const d0 = input.dims[0];
  return `${input.type} ${shape} (${d0 === 1 ? 'batch 1' : `batch axis '${dimText(d0 ?? null)}' of 1`} optional)`;
}

function describeGiven(type: string, shape: readonly number[]): string {
  return `${type} [${shape.join(',')}]`;
}

/**
 * The dims one sample feeds to `input`, from the shape it was given, or null when it does not fit. A sample
 * holds one item: the leading (batch) dim is 1, or absent when batchOptional. Other symbolic dims take any
 * size here; the caller makes all samples agree.
 */
function resolveSampleDims(input: InputSpec, given: readonly number[]): number[] | null {
  const dims = input.dims;
  if (dims === null) return [...given];
  const fits = (want: readonly Dim[], got: readonly number[]) =>
    want.length === got.length && want.every((d, i) => typeof d !== 'number' || d === got[i]);
  if (given.length === dims.length) {
    if (!fits(dims, given)) return null;
    // A symbolic batch dim still means one item per sample: batches of N come as N samples.
    if (dims.length > 0 && typeof dims[0] !== 'number' && given[0] !== 1) return null;
    return [...given];
  }
  if (batchOptional(input) && given.length === dims.length - 1 && fits(dims.slice(1), given)) {
    return [1, ...given];
  }
  return null;
}

/** DATA_SHAPE_MISMATCH naming the input, what it expects and what the file holds. */
function shapeMismatch(
  input: InputSpec,
  display: string,
  givenType: string,
  givenShape: readonly number[],
  hint = '',
): AppError {
  return new AppError(
    'DATA_SHAPE_MISMATCH',
    `input '${input.name}' expects ${describeExpected(input)}; ${display} is ${describeGiven(givenType, givenShape)}.` +
      (hint ? ` ${hint}` : ''),
    {
      input: input.name,
      expected: input.dims,
      expectedType: input.type,
      given: givenShape,
      givenType,
      file: display,
    },
  );
}

/** Checks dtype and shape of one sample's data for `input`; returns the dims to feed. */
export function checkSampleData(
  input: InputSpec,
  display: string,
  givenType: NpyElementType,
  givenShape: readonly number[],
  stackedHint = false,
): number[] {
  const want = npyTypeOf(input);
  if (givenType !== want) {
    throw shapeMismatch(
      input,
      display,
      givenType,
      givenShape,
      `Convert it first, e.g. numpy.save(path, arr.astype(numpy.${numpyDtypeName(want)})): ` +
        'data is never converted silently.',
    );
  }
  const dims = resolveSampleDims(input, givenShape);
  if (dims) return dims;
  let hint = '';
  if (input.dims && givenShape.length > 0 && givenShape[0] !== 1 && typeof input.dims[0] !== 'number') {
    hint = 'A sample holds one item (batch 1 or no batch axis): split batches into samples.';
  }
  if (stackedHint && givenShape.length > 0 && resolveSampleDims(input, givenShape.slice(1))) {
    hint =
      `It looks like ${givenShape[0]} stacked samples: pass the path of the .npy file itself to read it that ` +
      'way, or save one file per sample.';
  }
  throw shapeMismatch(input, display, givenType, givenShape, hint);
}

/**
 * Keeps every sample of an input at the first sample's dims (symbolic dims are fixed by the first sample), and
 * dims that share a symbol across inputs equal within a sample.
 */
export function createShapeAgreement(inputs: readonly InputSpec[]) {
  const first = new Map<string, { dims: number[]; display: string }>();
  return (input: InputSpec, dims: number[], display: string, givenShape: readonly number[]): void => {
    const seen = first.get(input.name);
    if (!seen) {
      first.set(input.name, { dims, display });
      checkSymbols(inputs, first, input);
      return;
    }
    if (seen.dims.length !== dims.length || seen.dims.some((d, i) => d !== dims[i])) {
      throw new AppError(
        'DATA_SHAPE_MISMATCH',
        `input '${input.name}' expects ${describeExpected(input)}, fixed to [${seen.dims.join(',')}] by the first ` +
          `sample ${seen.display}; ${display} is ${describeGiven(input.type, givenShape)}. All samples of an input ` +
          'must have the same shape: resize or pad them the same way.',
        { input: input.name, expected: seen.dims, given: givenShape, file: display },
      );
    }
  };
}

function checkSymbols(
  inputs: readonly InputSpec[],
  first: Map<string, { dims: number[]; display: string }>,
  changed: InputSpec,
): void {
  const sizes = new Map<string, { size: number; input: string }>();
  for (const input of inputs) {
    const seen = first.get(input.name);
    if (!seen || !input.dims) continue;
    input.dims.forEach((d, i) => {
      if (typeof d !== 'string' || i === 0) return;
      const size = seen.dims[i]!;
      const other = sizes.get(d);
      if (other && other.size !== size) {
        throw new AppError(
          'DATA_SHAPE_MISMATCH',
          `Dimension '${d}' is ${other.size} in input '${other.input}' but ${size} in input '${input.name}' ` +
            `(${first.get(changed.name)?.display ?? seen.display}): inputs that share a dimension name must agree.`,
        );
      }
      sizes.set(d, { size, input: input.name });
    });
  }
}
