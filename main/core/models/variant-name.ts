/** The longest name `modelNameSchema` accepts. */
export const maxModelNameLength = 120;

/**
 * A variant's default name: its parent's name, then the method that made this variant — its own, never the
 * parent's ("m-int8-static" optimized with fp16 is "m-int8-static-fp16"). The parent's part is cut when needed
 * so that the name stays valid for the name schema; its method suffix is never cut.
 */
export function variantDefaultName(parentName: string, method: string): string {
  const suffix = `-${method}`;
  const room = maxModelNameLength - suffix.length;
  const stem = parentName.length > room ? parentName.slice(0, room).trimEnd() : parentName;
  return `${stem}${suffix}`;
}

/**
 * `base` when free, else `base (2)`, `base (3)`…: the counter replaces the end of a name already at the
 * length limit, so a taken long name never yields an invalid one.
 */
export function freeModelName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) {
    const counter = ` (${i})`;
    const stem =
      base.length + counter.length > maxModelNameLength
        ? base.slice(0, maxModelNameLength - counter.length).trimEnd()
        : base;
    const candidate = `${stem}${counter}`;
    if (!taken(candidate)) return candidate;
  }
}
