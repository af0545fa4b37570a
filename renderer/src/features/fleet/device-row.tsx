import { memo, type KeyboardEvent, type MouseEvent } from 'react';
import type { Device } from '../../../../shared/schemas/fleet';
import { addressOf, stateOf, statusLabels } from './device-filter';
import { formatAgo, systemLine } from './fleet-format';
import { stateColors } from './status-badge';

const maxTagBadges = 3;

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
export const DeviceRow = memo(function DeviceRow({
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
