/** `/deploy?model=<id>`: the Deploy page with this variant preselected. */
export function deployPath(modelId: string): string {
  return `/deploy?model=${encodeURIComponent(modelId)}`;
}

/** `/benchmark?model=<id>`: the Benchmark page with this variant (and its parent) picked. */
export function benchPath(modelId: string): string {
  return `/benchmark?model=${encodeURIComponent(modelId)}`;
}
