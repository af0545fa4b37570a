/**
 * Dimension arithmetic for shape inference. A dimension is a number, a symbolic name ('batch') or null
 * (unknown). Symbols are opaque: two equal names are the same size, nothing else is assumed about them.
 */
export type Dim = number | string | null;

export const isNumber = (d: Dim | undefined): d is number => typeof d === 'number';

/** numpy broadcasting of one dimension pair; null when the result cannot be known. */
function broadcastDim(a: Dim, b: Dim): Dim {
  if (a === b) return a;
  if (a === 1) return b;
  if (b === 1) return a;
  // A fixed size other than 1 wins over an unknown or symbolic one (which must then be 1 or equal to it).
  if (isNumber(a) && !isNumber(b)) return a;
  if (isNumber(b) && !isNumber(a)) return b;
  return null;
}

/** numpy broadcasting of several shapes (right-aligned); null if any shape is unknown. */
export function broadcastShapes(shapes: readonly (readonly Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const known = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...known.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of known) {
      const j = s.length - rank + i;
      if (j >= 0) d = broadcastDim(d, s[j] ?? null);
    }
    out.push(d);
  }
  return out;
}

/** Product of dimensions: a number, a lone symbol (times 1s), or null when it cannot be written as a Dim. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    if (typeof d === 'string') symbols.push(d);
    else n *= d;
  }
  if (symbols.length === 0) return n;
  if (n === 0) return 0;
  return symbols.length === 1 && n === 1 ? symbols[0]! : null;
}

/** Normalizes a possibly negative axis against a rank; undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

type WindowParams = {
  kernel: number;
  stride: number;
  dilation: number;
  padBegin: number;
  padEnd: number;
  autoPad: string;
  ceilMode: boolean;
};

/** Output size along one spatial axis of Conv / pooling (ONNX formulas, including ceil_mode's last-window rule). */
export function windowOutputDim(input: Dim, p: WindowParams): Dim {
  const effective = (p.kernel - 1) * p.dilation + 1;
  const same = p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER';
  if (!isNumber(input)) {
    // Only size-preserving windows keep a symbolic dimension.
    if (p.stride !== 1) return null;
    if (same) return input;
    const pads = p.autoPad === 'VALID' ? 0 : p.padBegin + p.padEnd;
    return pads === effective - 1 ? input : null;
  }
  if (same) return Math.ceil(input / p.stride);
  const padded = p.autoPad === 'VALID' ? input : input + p.padBegin + p.padEnd;
  const span = padded - effective;
  if (span < 0) return null;
  let out = (p.ceilMode ? Math.ceil(span / p.stride) : Math.floor(span / p.stride)) + 1;
  // With ceil_mode the last window must start inside the input or left padding (as PyTorch and ORT do).
  if (p.ceilMode && p.autoPad !== 'VALID' && (out - 1) * p.stride >= input + p.padBegin) out--;
  return out;
}

/** Output size along one spatial axis of ConvTranspose. */
export function transposedWindowOutputDim(input: Dim, p: WindowParams & { outputPadding: number }): Dim {
  const effective = (p.kernel - 1) * p.dilation + 1;
  const same = p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER';
  if (!isNumber(input)) {
    if (p.stride === 1 && p.outputPadding === 0 && (same || p.padBegin + p.padEnd === effective - 1))
      return input;
    return null;
  }
  if (same) return input * p.stride;
  const pads = p.autoPad === 'VALID' ? 0 : p.padBegin + p.padEnd;
  const out = p.stride * (input - 1) + p.outputPadding + effective - pads;
  return out > 0 ? out : null;
}

/** Length of a Slice along one axis (ONNX clamping rules). */
export function sliceLength(dim: number, start: number, end: number, step: number): number {
  if (step > 0) {
    const s = clamp(start < 0 ? start + dim : start, 0, dim);
    const e = clamp(end < 0 ? end + dim : end, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  const s = clamp(start < 0 ? start + dim : start, 0, dim - 1);
  const e = clamp(end < 0 ? end + dim : end, -1, dim - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

/** Start index of a Slice along one axis after clamping (for slicing known values). */
export function sliceStart(dim: number, start: number, step: number): number {
  return step > 0
    ? clamp(start < 0 ? start + dim : start, 0, dim)
    : clamp(start < 0 ? start + dim : start, 0, dim - 1);
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
