/**
 * An output "looks like class scores" when it is a float tensor of rank ≥ 2 whose last dim (the classes) is ≥ 2
 * and which is either rank 2 ([rows, classes]: one prediction per row) or has every leading dim 1
 * ([1, 1, classes]). Its arg-max per row is the predicted class.
 */
export function classScoreRows(
  type: string,
  dims: readonly number[],
): { rows: number; classes: number } | null {
  if (!['float32', 'float16', 'float64'].includes(type)) return null;
  if (dims.length < 2) return null;
  const classes = dims[dims.length - 1]!;
  if (classes < 2) return null;
  const leading = dims.slice(0, -1);
  if (dims.length > 2 && leading.some((d) => d !== 1)) return null;
  return { rows: leading.reduce((a, b) => a * b, 1), classes };
}

/** Index of the largest value in values[offset, offset + length); NaN never wins; first index on ties. */
export function argMax(values: ArrayLike<number>, offset: number, length: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[offset + i]!;
    if (v > bestValue || (best === -1 && !Number.isNaN(v))) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}
