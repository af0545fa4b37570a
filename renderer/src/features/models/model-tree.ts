import type { Model } from '../../../../shared/schemas/models';

export type ModelRow = { model: Model; depth: number };

/**
 * Orders models for the library table: each parent (newest first) followed by its variants, indented
 * one level per generation. A variant whose parent is missing from the list is shown at the top level
 * rather than hidden.
 */
export function modelRows(models: readonly Model[]): ModelRow[] {
  const ids = new Set(models.map((m) => m.id));
  const children = new Map<string, Model[]>();
  const roots: Model[] = [];
  for (const model of models) {
    if (model.parentId !== null && ids.has(model.parentId) && model.parentId !== model.id) {
      const siblings = children.get(model.parentId) ?? [];
      siblings.push(model);
      children.set(model.parentId, siblings);
    } else {
      roots.push(model);
    }
  }
  const newestFirst = (a: Model, b: Model) => b.importedAt.localeCompare(a.importedAt);
  const rows: ModelRow[] = [];
  const seen = new Set<string>();
  const visit = (model: Model, depth: number) => {
    // Guards against a parent cycle in bad data: each model appears once.
    if (seen.has(model.id)) return;
    seen.add(model.id);
    rows.push({ model, depth });
    for (const child of [...(children.get(model.id) ?? [])].sort(newestFirst)) visit(child, depth + 1);
  };
  for (const root of [...roots].sort(newestFirst)) visit(root, 0);
  // Models caught in a cycle have no root; still list them.
  for (const model of models) visit(model, 0);
  return rows;
}
