/** `/benchmark?model=<id>`: the Benchmark page with this model and its variants picked. */
export function benchmarkPath(modelId: string): string {
  return `/benchmark?model=${encodeURIComponent(modelId)}`;
}

/** `/deploy?model=<id>`: the Deploy page with this variant preselected. */
export function deployPath(modelId: string): string {
  return `/deploy?model=${encodeURIComponent(modelId)}`;
}
