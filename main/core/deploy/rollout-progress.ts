import { isFinalDeviceStatus, type DeployProgress, type DeployStep } from '../../../shared/schemas/deploy';

/** Share of a device's work done when a step starts; the upload fills its span by bytes. */
const stepShare: Record<DeployStep, number> = {
  connect: 0.01,
  preflight: 0.04,
  upload: 0.06,
  verify: 0.84,
  install: 0.86,
  engine: 0.88,
  switch: 0.9,
  restart: 0.92,
  health: 0.94,
  rollback: 0.96,
  prune: 0.98,
  done: 1,
};
const uploadSpan = stepShare.verify - stepShare.upload;

/**
 * The whole rollout's percent from per-device progress: each device counts equally, a finished device as
 * done whatever its result, a running one by its step (and bytes during the upload).
 */
export class RolloutProgress {
  private readonly shares = new Map<string, number>();
  private total = 0;

  update(p: DeployProgress): number {
    this.total = Math.max(this.total, p.devicesTotal);
    let share: number;
    if (isFinalDeviceStatus(p.status)) share = 1;
    else if (p.step === 'upload' && p.bytesTotal > 0)
      share = stepShare.upload + (uploadSpan * Math.min(p.bytesSent, p.bytesTotal)) / p.bytesTotal;
    else share = stepShare[p.step];
    this.shares.set(p.deviceId, Math.max(this.shares.get(p.deviceId) ?? 0, share));
    return this.percent();
  }

  percent(): number {
    if (this.total === 0) return 0;
    let sum = 0;
    for (const s of this.shares.values()) sum += s;
    return Math.min(100, Math.round((1000 * sum) / this.total) / 10);
  }
}
