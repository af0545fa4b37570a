import { describe, expect, it } from 'vitest';
import { keyAction, rangeOf } from './table-keys';

const press = (key: string, mod: Partial<{ ctrlKey: boolean; metaKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  ...mod,
});

describe('keyAction', () => {
  it('moves by a row, a page, or to either end', () => {
    expect(keyAction(press('ArrowDown'), 4, 100, 10)).toEqual({ kind: 'move', to: 5 });
    expect(keyAction(press('ArrowUp'), 4, 100, 10)).toEqual({ kind: 'move', to: 3 });
    expect(keyAction(press('PageDown'), 4, 100, 10)).toEqual({ kind: 'move', to: 14 });
    expect(keyAction(press('PageUp'), 4, 100, 10)).toEqual({ kind: 'move', to: -6 });
    expect(keyAction(press('Home'), 4, 100, 10)).toEqual({ kind: 'move', to: 0 });
    expect(keyAction(press('End'), 4, 100, 10)).toEqual({ kind: 'move', to: 99 });
  });

  it('selects, opens, selects all with Ctrl or ⌘, clears; leaves other keys alone', () => {
    expect(keyAction(press(' '), 0, 3, 1)).toEqual({ kind: 'toggle' });
    expect(keyAction(press('Enter'), 0, 3, 1)).toEqual({ kind: 'open' });
    expect(keyAction(press('A', { ctrlKey: true }), 0, 3, 1)).toEqual({ kind: 'selectAll' });
    expect(keyAction(press('a', { metaKey: true }), 0, 3, 1)).toEqual({ kind: 'selectAll' });
    expect(keyAction(press('a'), 0, 3, 1)).toBeNull();
    expect(keyAction(press('Escape'), 0, 3, 1)).toEqual({ kind: 'clear' });
    expect(keyAction(press('Tab'), 0, 3, 1)).toBeNull();
  });
});

describe('rangeOf', () => {
  it('takes the rows between two indexes either way round', () => {
    const devices = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
    expect(rangeOf(devices, 1, 3)).toEqual(['b', 'c', 'd']);
    expect(rangeOf(devices, 2, 0)).toEqual(['a', 'b', 'c']);
  });
});
