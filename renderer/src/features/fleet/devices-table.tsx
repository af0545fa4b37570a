import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { Device } from '../../../../shared/schemas/fleet';
import { DeviceRow } from './device-row';
import { DevicesTableHead } from './devices-table-head';
import { keyAction, rangeOf } from './table-keys';

const rowHeight = 34;
const headerHeight = 32;
/** How long a keyboard move keeps trying to focus its row (the scroll and the redraw come first). */
const focusPatienceMs = 5_000;

type DevicesTableProps = {
  devices: readonly Device[];
  selected: ReadonlySet<string>;
  /** Select or unselect these devices (a click, a range, all shown). */
  onSelect: (ids: readonly string[], value: boolean) => void;
  onOpen: (id: string) => void;
  openId: string | null;
  /** Move the keyboard focus to this device once (a new object each time: after add or import). */
  focus: { id: string } | null;
};

/**
 * The inventory, fast at thousands of devices: only the rows in view (plus a margin) are in the DOM, between
 * two spacer rows that keep the scroll height. Keyboard: Tab into the list, ↑/↓/PgUp/PgDn/Home/End move,
 * Shift+↑/↓ extend the selection, Space selects, Enter opens, Ctrl+A selects all shown, Esc clears.
 */
export function DevicesTable({ devices, selected, onSelect, onOpen, openId, focus }: DevicesTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const anchor = useRef(0);
  const pendingFocus = useRef<{ index: number; until: number; frames: number } | null>(null);
  const activeIndex = Math.max(0, Math.min(active, devices.length - 1));

  // The app does not use the React Compiler; the instance is stable and only its methods are called.
  // eslint-disable-next-line react-hooks/incompatible-library -- see above
  const virtualizer = useVirtualizer({
    count: devices.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // The sticky header sits above the first row: offsets and scrollToIndex account for it.
    paddingStart: headerHeight,
    scrollPaddingStart: headerHeight,
    getItemKey: (index) => devices[index]?.id ?? index,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  const padTop = first ? first.start - headerHeight : 0;
  const padBottom = last ? virtualizer.getTotalSize() - last.end : 0;
  // One row is the Tab stop: the active one when it is drawn, else the first drawn row.
  const tabStop =
    first && last && activeIndex >= first.index && activeIndex <= last.index
      ? activeIndex
      : (first?.index ?? 0);

  // After a keyboard move the target row may only exist after the scroll: focus it once it is drawn — on the
  // render that draws it or on a later frame — and keep trying for a while (a loaded machine can take many
  // frames), asking again for the scroll should it not have happened. One frame loop serves every move: it
  // always works for the latest one.
  const focusTarget = useCallback(() => {
    const pending = pendingFocus.current;
    if (pending === null) return true;
    // Given up after a while, or the user has put the focus somewhere else meanwhile (the focused row left
    // the DOM with the scroll, so the body holding it means nobody took it).
    const elsewhere =
      document.activeElement !== document.body && !scrollRef.current?.contains(document.activeElement);
    if (performance.now() > pending.until || elsewhere) {
      pendingFocus.current = null;
      return true;
    }
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${pending.index}"]`);
    if (!row) return false;
    row.focus({ preventScroll: true });
    if (document.activeElement === row) pendingFocus.current = null;
    return pendingFocus.current === null;
  }, []);
  useEffect(() => {
    focusTarget();
  });
  const focusLoop = useRef(false);

  // Row handlers read the latest props through a ref, so they stay the same functions and the memoized rows
  // re-render only when their own device or state changed (scrolling redraws only the rows that enter).
  const latest = useRef({ devices, selected, onSelect, onOpen });
  useLayoutEffect(() => {
    latest.current = { devices, selected, onSelect, onOpen };
  });

  const moveTo = useCallback(
    (index: number) => {
      const target = Math.max(0, Math.min(index, latest.current.devices.length - 1));
      setActive(target);
      pendingFocus.current = { index: target, until: performance.now() + focusPatienceMs, frames: 0 };
      virtualizer.scrollToIndex(target, { align: 'auto' });
      if (!focusLoop.current) {
        focusLoop.current = true;
        const retry = () => {
          const pending = pendingFocus.current;
          if (focusTarget() || pending === null) {
            focusLoop.current = false;
            return;
          }
          pending.frames += 1;
          if (pending.frames % 20 === 0) virtualizer.scrollToIndex(pending.index, { align: 'auto' });
          requestAnimationFrame(retry);
        };
        requestAnimationFrame(retry);
      }
      return target;
    },
    [virtualizer, focusTarget],
  );

  // Bring a device just added or imported into view and under the keyboard, once per request.
  const focusedFor = useRef<{ id: string } | null>(null);
  useEffect(() => {
    if (!focus || focusedFor.current === focus) return;
    const index = devices.findIndex((d) => d.id === focus.id);
    if (index < 0) return;
    focusedFor.current = focus;
    moveTo(index);
  }, [focus, devices, moveTo]);

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLTableRowElement>, index: number, id: string) => {
      const { devices, selected, onSelect, onOpen } = latest.current;
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / rowHeight) - 2);
      const action = keyAction(event, index, devices.length, page);
      if (action === null) return;
      if (action.kind === 'clear' && selected.size === 0) return;
      event.preventDefault();
      if (action.kind === 'move') {
        const target = moveTo(action.to);
        if (event.shiftKey) onSelect(rangeOf(devices, anchor.current, target), true);
        else anchor.current = target;
      } else if (action.kind === 'toggle') {
        anchor.current = index;
        onSelect([id], !selected.has(id));
      } else if (action.kind === 'open') onOpen(id);
      else if (action.kind === 'selectAll')
        onSelect(
          devices.map((d) => d.id),
          true,
        );
      else onSelect([...selected], false);
    },
    [moveTo],
  );

  const onCheck = useCallback((event: MouseEvent, index: number, id: string) => {
    const { devices, selected, onSelect } = latest.current;
    event.stopPropagation();
    setActive(index);
    if (event.shiftKey) onSelect(rangeOf(devices, anchor.current, index), true);
    else onSelect([id], !selected.has(id));
    anchor.current = index;
  }, []);

  const openRow = useCallback((id: string) => latest.current.onOpen(id), []);

  const shownSelected = devices.reduce((n, d) => n + (selected.has(d.id) ? 1 : 0), 0);
  const allShown = devices.length > 0 && shownSelected === devices.length;

  return (
    <div ref={scrollRef} className="fleet-scroll" data-testid="devices-scroll">
      <table
        className="fleet-table"
        data-testid="devices-table"
        aria-label="Devices"
        aria-rowcount={devices.length + 1}
      >
        <DevicesTableHead
          selectedCount={shownSelected}
          shownCount={devices.length}
          onToggleAll={() =>
            onSelect(
              devices.map((d) => d.id),
              !allShown,
            )
          }
        />
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true" className="fleet-spacer" style={{ height: padTop }}>
              <td colSpan={9} />
            </tr>
          )}
          {items.map((item) => {
            const device = devices[item.index];
            if (!device) return null;
            return (
              <DeviceRow
                key={item.key}
                index={item.index}
                device={device}
                selected={selected.has(device.id)}
                open={device.id === openId}
                tabbable={item.index === tabStop}
                onFocusRow={setActive}
                onOpen={openRow}
                onKeyDown={onKeyDown}
                onCheck={onCheck}
              />
            );
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true" className="fleet-spacer" style={{ height: padBottom }}>
              <td colSpan={9} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
