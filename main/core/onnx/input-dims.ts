import { AppError } from '../../../shared/errors';
import type { Dim } from './shape-dims';

/**
 * The most elements one sample of one input may hold: 2^26 (256 MiB as float32). Far above any real edge
 * model's input (a 4K RGB frame is 25M), far below what makes "Array buffer allocation failed" a crash.
 */
const maxSampleElements = 2 ** 26;

type DimProblem = { input: string; axis: number; dim: number; kind: 'zero' | 'huge' };

/** Declared input dims that will make samples empty (0, negative) or too large to allocate; symbolic dims count 1. */
export function declaredDimProblems(
  inputs: readonly { name: string; dims: readonly Dim[] | null }[],
): DimProblem[] {
  const problems: DimProblem[] = [];
  for (const input of inputs) {
    if (input.dims === null) continue;
    const problem = dimProblem(
      input.name,
      input.dims.map((d) => (typeof d === 'number' ? d : 1)),
    );
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

/** An import warning per problem: the model loads, but benchmarks and random calibration will refuse it. */
export function dimWarnings(problems: readonly DimProblem[]): string[] {
  return problems.map((p) =>
    p.kind === 'zero'
      ? `Input '${p.input}' declares dimension ${p.dim} at axis ${p.axis}: samples for it would be empty, so benchmarks and random calibration will refuse it. Re-export the model with the real size.`
      : `Input '${p.input}' declares dimension ${p.dim} at axis ${p.axis}: one sample would exceed ${maxSampleElements} elements, so benchmarks and random calibration will refuse it. Re-export the model with the real size.`,
  );
}

/**
 * Refuses (INPUT_SHAPE_UNUSABLE) before any sample is allocated when `dims` has a 0 or negative size, or more
 * than maxSampleElements elements. `what` says what to do instead (pass --shape, use real data …).
 */
export function assertUsableSampleDims(input: string, dims: readonly number[], what: string): void {
  const problem = dimProblem(input, dims);
  if (problem === null) return;
  const shape = `[${dims.join(',')}]`;
  const why =
    problem.kind === 'zero'
      ? `dimension ${problem.dim} at axis ${problem.axis} makes every sample empty`
      : `dimension ${problem.dim} at axis ${problem.axis} makes one sample larger than ${maxSampleElements} elements`;
  throw new AppError(
    'INPUT_SHAPE_UNUSABLE',
    `Input '${input}' has shape ${shape}: ${why}, so no sample can be made for it. ${what}`,
    { input, axis: problem.axis, dim: problem.dim, shape: dims },
  );
}

function dimProblem(input: string, dims: readonly number[]): DimProblem | null {
  let elements = 1;
  let largest = -1;
  for (let axis = 0; axis < dims.length; axis++) {
    const d = dims[axis]!;
    if (!Number.isFinite(d) || d <= 0) return { input, axis, dim: d, kind: 'zero' };
    elements *= d;
    if (largest < 0 || d > dims[largest]!) largest = axis;
  }
  if (elements > maxSampleElements) return { input, axis: largest, dim: dims[largest]!, kind: 'huge' };
  return null;
}
