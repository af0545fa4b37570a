import type { Device, ImportReport } from '../../../../shared/schemas/fleet';
import { statusFilterLabels, type DeviceFilter, type Facets, type StatusFilter } from './device-filter';
import { countDevices } from './fleet-format';
import { secretNeedsIn, untrustedIn, type OpKind, type OpState, type SecretNeed } from './fleet-ops';

/**
 * The Fleet page's decisions, as data: which devices a trust prompt covers, what follows an operation, what
 * the notices say. The page only wires them to state.
 */

/**
 * Devices reached through an untrusted jump device need that device trusted first: ask for both, and for the
 * jump device's own untrusted jump, and so on (jump names match device names in any case).
 */
export function withUntrustedJumps(ids: readonly string[], devices: readonly Device[]): string[] {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const byName = new Map(devices.map((d) => [d.name.toLowerCase(), d]));
  const out = new Set(ids);
  const queue = [...ids];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    const jump = byId.get(id)?.jump;
    const via = jump ? byName.get(jump.toLowerCase()) : undefined;
    if (via && via.hostKey === null && !out.has(via.id)) {
      out.add(via.id);
      queue.push(via.id);
    }
  }
  return [...out];
}

/** The trust dialog's title: the device's name when there is one, else how many. */
export function trustTitle(ids: readonly string[], devices: readonly Device[]): string {
  const only = ids.length === 1 ? devices.find((d) => d.id === ids[0]) : undefined;
  return only ? `Trust the host key of ${only.name}` : `Trust the host keys of ${countDevices(ids.length)}`;
}

type AfterOp =
  | { ask: 'nothing' }
  | { ask: 'trust'; ids: string[]; then: OpKind }
  | { ask: 'secrets'; needs: SecretNeed[]; then: OpKind };

/**
 * What follows a finished operation. For one device, an unknown host key or a missing secret opens the
 * dialog that resolves it. A bulk run never covers its per-device results with the trust dialog: the panel
 * lists the unknown keys with a Trust button per device (and one for all of them).
 */
export function afterOp(final: OpState, bulk: boolean): AfterOp {
  if (final.status !== 'done') return { ask: 'nothing' };
  const untrusted = untrustedIn(final.outcomes);
  if (untrusted.length > 0)
    return bulk ? { ask: 'nothing' } : { ask: 'trust', ids: untrusted, then: final.kind };
  const needs = secretNeedsIn(final.outcomes);
  return needs.length > 0 ? { ask: 'secrets', needs, then: final.kind } : { ask: 'nothing' };
}

export function savedNotice(device: Pick<Device, 'name'>, kind: 'add' | 'edit'): string {
  return kind === 'add'
    ? `Added ${device.name}. Probe it to read its facts: the first connection asks you to trust its host key.`
    : `Saved ${device.name}.`;
}

/** An import that changed nothing says so, rather than a count of zeros that reads like success. */
export function importNotice(report: Pick<ImportReport, 'format' | 'counts'>): string {
  const { added, updated, unchanged, skipped } = report.counts;
  const n = (count: number) => count.toLocaleString('en-US');
  if (added + updated === 0) {
    return `Nothing was added from the ${report.format} file: ${n(unchanged)} already in the fleet as they are${skipped > 0 ? `, ${n(skipped)} skipped` : ''}.`;
  }
  return `Imported from ${report.format}: ${n(added)} added, ${n(updated)} updated.`;
}

/** The status filter's choices: the states present (with counts), and the chosen one even at zero. */
export function statusOptions(
  facets: Pick<Facets, 'statuses'>,
  chosen: DeviceFilter['status'],
): { value: StatusFilter; label: string }[] {
  return (Object.keys(statusFilterLabels) as StatusFilter[])
    .filter((s) => facets.statuses[s] !== undefined || chosen === s)
    .map((s) => ({ value: s, label: `${statusFilterLabels[s]} (${facets.statuses[s] ?? 0})` }));
}

/** "3 devices selected (1 hidden by the filter)", or that none is. */
export function selectionLine(selectedIds: readonly string[], shown: readonly Pick<Device, 'id'>[]): string {
  if (selectedIds.length === 0) return 'No devices selected';
  const visible = new Set(shown.map((d) => d.id));
  const hidden = selectedIds.filter((id) => !visible.has(id)).length;
  return `${countDevices(selectedIds.length)} selected${hidden > 0 ? ` (${hidden} hidden by the filter)` : ''}`;
}

/** The tags the selected devices carry, to offer for removal. */
export function tagsOf(ids: readonly string[], devices: readonly Device[]): string[] {
  const chosen = new Set(ids);
  return [...new Set(devices.filter((d) => chosen.has(d.id)).flatMap((d) => d.tags))].sort();
}
