/** What a key does in the devices table (the table applies it: focus, scroll, selection). */
type KeyAction =
  | { kind: 'move'; to: number }
  | { kind: 'toggle' }
  | { kind: 'open' }
  | { kind: 'selectAll' }
  | { kind: 'clear' };

type KeyPress = { key: string; ctrlKey: boolean; metaKey: boolean };

/**
 * ↑/↓/PgUp/PgDn/Home/End move (by `page` rows for a page), Space selects, Enter opens, Ctrl/⌘+A selects
 * all shown, Esc clears the selection; any other key is the browser's. Moves may point past either end:
 * the table clamps them.
 */
export function keyAction(press: KeyPress, index: number, count: number, page: number): KeyAction | null {
  const moves: Record<string, number> = {
    ArrowDown: index + 1,
    ArrowUp: index - 1,
    PageDown: index + page,
    PageUp: index - page,
    Home: 0,
    End: count - 1,
  };
  const to = moves[press.key];
  if (to !== undefined) return { kind: 'move', to };
  if (press.key === ' ') return { kind: 'toggle' };
  if (press.key === 'Enter') return { kind: 'open' };
  if (press.key.toLowerCase() === 'a' && (press.ctrlKey || press.metaKey)) return { kind: 'selectAll' };
  if (press.key === 'Escape') return { kind: 'clear' };
  return null;
}

/** The ids from one row to another, either way round, both included. */
export function rangeOf(devices: readonly { id: string }[], from: number, to: number): string[] {
  return devices.slice(Math.min(from, to), Math.max(from, to) + 1).map((d) => d.id);
}
