import { AppError } from '../../../../shared/errors';
import type { Device, HostKeyScan, TrustOutcome } from '../../../../shared/schemas/fleet';
import type { FleetProgress, FleetService } from '../../../core/fleet/service';
import type { CommandContext } from '../../cli-context';
import type { OpFlags } from './cli-options';
import { opOptions } from './cli-options';
import { scanText } from './devices-text';
import { canPrompt, confirm } from './tty-prompt';

/**
 * Trust without typed fingerprints: scan and show every key first, ask (on a terminal), then pin exactly
 * the shown keys — a key that changed in between is refused. Devices behind a jump host that gets trusted
 * in this round are shown and trusted in a next round.
 */
export async function trustShown(
  fleet: FleetService,
  resolved: readonly Device[],
  flags: OpFlags & { yes?: boolean },
  ctx: CommandContext,
  progress: { onProgress(p: FleetProgress): void; end(): void },
): Promise<TrustOutcome[]> {
  const final = new Map<string, TrustOutcome>();
  let pending = resolved.map((d) => d.id);
  for (let round = 0; round < 4 && pending.length > 0; round++) {
    const scans = await fleet.scanHostKeys(pending, opOptions(flags, { onProgress: () => undefined }));
    // Asked on a terminal even with --json: the question and the keys go to stderr, the result to stdout.
    const interactive = canPrompt() && flags.yes !== true;
    if (!ctx.json || interactive) ctx.io.stderr(scanText(scans));
    const shown = scans.filter((s): s is Extract<HostKeyScan, { ok: true }> => s.ok);
    const fresh = shown.filter((s) => s.pinned === 'none');
    const toTrust = [...new Set(shown.map((s) => s.deviceId))];
    for (const s of scans) {
      if (!s.ok && s.role === 'device' && !toTrust.includes(s.deviceId)) {
        final.set(s.deviceId, { device: s.device, deviceId: s.deviceId, ok: false, error: s.error });
      }
    }
    if (toTrust.length === 0) break;
    if (fresh.length > 0 && interactive) {
      const yes = await confirm(`Trust ${fresh.length} new key(s) shown above? [y/N] `);
      if (!yes) throw new AppError('CANCELLED', 'Nothing was trusted.');
    }
    const approved = shown.filter((s) => s.pinned !== 'different').map((s) => s.fingerprint);
    const outcomes = await fleet.trust(toTrust, approved, opOptions(flags, progress));
    for (const o of outcomes) final.set(o.deviceId, o);
    const pinnedNow = outcomes.some((o) => o.ok && (o.action !== 'unchanged' || o.jump?.action === 'pinned'));
    const jumpIds = new Set(resolved.filter((d) => d.jump !== null).map((d) => d.id));
    pending = pinnedNow
      ? [...final.values()]
          .filter(
            (o) =>
              !o.ok &&
              jumpIds.has(o.deviceId) &&
              ['HOST_KEY_UNKNOWN', 'FINGERPRINT_MISMATCH'].includes(o.error.code),
          )
          .map((o) => o.deviceId)
      : [];
  }
  const order = new Map(resolved.map((d, i) => [d.id, i]));
  return [...final.values()].sort((a, b) => (order.get(a.deviceId) ?? 0) - (order.get(b.deviceId) ?? 0));
}
