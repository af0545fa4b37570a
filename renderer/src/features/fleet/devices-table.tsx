import { Checkbox } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent,
} from 'react';
import type { Device } from '../../../../shared/schemas/fleet';
import { addressOf, stateOf, statusLabels } from './device-filter';
import { formatAgo, systemLine } from './fleet-format';
import { stateColors } from './status-badge';

const rowHeight = 34;
const headerHeight = 32;
const maxTagBadges = 3;

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
  const focusPending = useRef(false);
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

  // After a keyboard move the target row may only exist after the scroll: focus it once it is drawn.
  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${activeIndex}"]`);
    if (row) {
      focusPending.current = false;
      row.focus({ preventScroll: true });
    }
  });

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
      focusPending.current = true;
      virtualizer.scrollToIndex(target, { align: 'auto' });
      return target;
    },
    [virtualizer],
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
      const range = (from: number, to: number) =>
        devices.slice(Math.min(from, to), Math.max(from, to) + 1).map((d) => d.id);
      const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / rowHeight) - 2);
      const moves: Record<string, number> = {
        ArrowDown: index + 1,
        ArrowUp: index - 1,
        PageDown: index + page,
        PageUp: index - page,
        Home: 0,
        End: devices.length - 1,
      };
      const to = moves[event.key];
      if (to !== undefined) {
        event.preventDefault();
        const target = moveTo(to);
        if (event.shiftKey) onSelect(range(anchor.current, target), true);
        else anchor.current = target;
        return;
      }
      if (event.key === ' ') {
        event.preventDefault();
        anchor.current = index;
        onSelect([id], !selected.has(id));
      } else if (event.key === 'Enter') {
        event.preventDefault();
        onOpen(id);
      } else if (event.key.toLowerCase() === 'a' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        onSelect(
          devices.map((d) => d.id),
          true,
        );
      } else if (event.key === 'Escape' && selected.size > 0) {
        event.preventDefault();
        onSelect([...selected], false);
      }
    },
    [moveTo],
  );

  const onCheck = useCallback((event: MouseEvent, index: number, id: string) => {
    const { devices, selected, onSelect } = latest.current;
    event.stopPropagation();
    setActive(index);
    if (event.shiftKey) {
      const [from, to] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
      onSelect(
        devices.slice(from, to + 1).map((d) => d.id),
        true,
      );
    } else onSelect([id], !selected.has(id));
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
        <colgroup>
          <col style={{ width: 36 }} />
          <col style={{ width: '14%' }} />
          <col style={{ width: '17%' }} />
          <col style={{ width: 124 }} />
          <col style={{ width: 96 }} />
          <col style={{ width: '16%' }} />
          <col />
          <col style={{ width: '9%' }} />
          <col style={{ width: 100 }} />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <th>
              <Checkbox
                size="xs"
                checked={allShown}
                indeterminate={shownSelected > 0 && !allShown}
                onChange={() =>
                  onSelect(
                    devices.map((d) => d.id),
                    !allShown,
                  )
                }
                aria-label={allShown ? 'Unselect all shown devices' : 'Select all shown devices'}
                data-testid="select-all"
              />
            </th>
            <th>Name</th>
            <th>Address</th>
            <th>Status</th>
            <th>Host key</th>
            <th>System</th>
            <th>Tags</th>
            <th>Profile</th>
            <th>Last seen</th>
          </tr>
        </thead>
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

type DeviceRowProps = {
  index: number;
  device: Device;
  selected: boolean;
  open: boolean;
  tabbable: boolean;
  onFocusRow: (index: number) => void;
  onOpen: (id: string) => void;
  onKeyDown: (event: KeyboardEvent<HTMLTableRowElement>, index: number, id: string) => void;
  onCheck: (event: MouseEvent, index: number, id: string) => void;
};

/**
 * One device. Plain elements styled by fleet.css, not Mantine components: a fast scroll draws dozens of new
 * rows per frame, and each Mantine component costs several times a plain element.
 */
const DeviceRow = memo(function DeviceRow({
  index,
  device,
  selected,
  open,
  tabbable,
  onFocusRow,
  onOpen,
  onKeyDown,
  onCheck,
}: DeviceRowProps) {
  const facts = device.probe?.facts;
  const extraTags = device.tags.length - maxTagBadges;
  const state = stateOf(device);
  const address = addressOf(device);
  return (
    <tr
      data-index={index}
      data-testid="device-row"
      data-device-id={device.id}
      data-open={open}
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      onFocus={() => onFocusRow(index)}
      onClick={() => onOpen(device.id)}
      onKeyDown={(event) => onKeyDown(event, index, device.id)}
    >
      {/* The whole cell toggles, so a slightly missed click still selects; Shift+click selects a range. */}
      <td onClick={(event) => onCheck(event, index, device.id)}>
        <input
          type="checkbox"
          className="fleet-check"
          checked={selected}
          onChange={() => undefined}
          tabIndex={-1}
          aria-label={`Select ${device.name}`}
          data-testid="device-select"
        />
      </td>
      <td className="fleet-name" data-testid="device-name">
        {device.name}
      </td>
      <td title={device.jump ? `${address} via ${device.jump}` : address}>
        <span className="fleet-mono" data-testid="device-address">
          {address}
        </span>
        {device.jump && <span className="fleet-dim"> via {device.jump}</span>}
      </td>
      <td>
        <span
          className={`fleet-badge ${state === 'unchecked' ? 'outline' : 'light'}`}
          data-color={stateColors[state]}
          data-testid="device-status"
          data-state={state}
        >
          {statusLabels[state]}
        </span>
        {device.status?.latencyMs != null && (
          <span className="fleet-dim"> {Math.round(device.status.latencyMs)} ms</span>
        )}
      </td>
      <td>
        {device.hostKey === null ? (
          <span
            className="fleet-badge outline"
            data-color="orange"
            data-testid="device-key"
            data-pinned="false"
          >
            not trusted
          </span>
        ) : (
          <span className="fleet-badge light" data-color="gray" data-testid="device-key" data-pinned="true">
            pinned
          </span>
        )}
      </td>
      {facts ? (
        <td className="fleet-small" title={systemLine(facts)} data-testid="device-system">
          {systemLine(facts)}
        </td>
      ) : (
        <td className="fleet-small fleet-dim">not probed</td>
      )}
      <td title={device.tags.join(', ')}>
        {device.tags.slice(0, maxTagBadges).map((tag) => (
          <span key={tag} className="fleet-badge tag">
            {tag}
          </span>
        ))}
        {extraTags > 0 && <span className="fleet-dim"> +{extraTags}</span>}
      </td>
      <td className="fleet-small">{device.profile ?? ''}</td>
      <td className={device.lastSeenAt ? 'fleet-small' : 'fleet-small fleet-dim'}>
        {device.lastSeenAt ? formatAgo(device.lastSeenAt) : 'never'}
      </td>
    </tr>
  );
});
