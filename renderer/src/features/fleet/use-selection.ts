import { useCallback, useMemo, useState } from 'react';

/**
 * The table's ticked rows. Ids of devices that are gone (removed elsewhere) drop out of `selectedIds`, which
 * keeps the list's order.
 */
export function useSelection(all: readonly { id: string }[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const selectedIds = useMemo(() => all.filter((d) => selected.has(d.id)).map((d) => d.id), [all, selected]);
  const onSelect = useCallback((ids: readonly string[], value: boolean) => {
    setSelected((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (value) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);
  const selectOnly = useCallback((ids: readonly string[]) => setSelected(new Set(ids)), []);
  return { selected, selectedIds, onSelect, selectOnly };
}
