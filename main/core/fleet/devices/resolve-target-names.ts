import { AppError } from '../../../../shared/errors';
import type { Device } from '../../../../shared/schemas/fleet';
import type { DeviceRepository } from './device-repository';

/**
 * Targets of an operation: a device name (or id), `tag:<tag>`, or `all`. The result is every matching device
 * once, in name order. Naming something that matches nothing is an error: a typo must not turn "probe these"
 * into "probe nothing" silently.
 */
export function resolveTargets(repo: DeviceRepository, targets: readonly string[]): Device[] {
  if (targets.length === 0) {
    throw new AppError('BAD_REQUEST', 'No targets given. Name a device, tag:<tag>, or all.');
  }
  const byId = new Map<string, Device>();
  for (const raw of targets) {
    const target = raw.trim();
    let found: Device[];
    if (target.toLowerCase() === 'all') {
      found = repo.list();
      if (found.length === 0) {
        throw new AppError('NOT_FOUND', 'There are no devices yet. Add one with: edgefleet devices add');
      }
    } else if (target.startsWith('tag:')) {
      const tag = target.slice(4).trim();
      found = repo.list(tag);
      if (found.length === 0) {
        throw new AppError(
          'NOT_FOUND',
          `No device has the tag "${tag}". List tags with: edgefleet devices list (tags are case-sensitive).`,
          { tag },
        );
      }
    } else {
      const device = repo.byName(target) ?? repo.byId(target);
      if (device === undefined) {
        throw new AppError(
          'NOT_FOUND',
          `No device named "${target}". List devices with: edgefleet devices list; for a tag, write tag:${target}.`,
          { ref: target },
        );
      }
      found = [device];
    }
    for (const d of found) byId.set(d.id, d);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
}
