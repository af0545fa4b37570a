/** `/deploy?model=<id>`: the Deploy page with this variant preselected. */
export function deployPath(modelId: string): string {
  return `/deploy?model=${encodeURIComponent(modelId)}`;
}
