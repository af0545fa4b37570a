import type { Deployment, DeviceRelease } from '../../../../shared/schemas/deploy';

type PastRelease = {
  modelName: string;
  release: string;
  variantId: string | null;
  /** When it was last deployed to this device. */
  deployedAt: string;
  deploymentId: string;
};

/**
 * The releases a device was sent, newest first, one line per release, from its deployments (deploys only:
 * a rollback names no release of its own). The one it runs now is left out: there is nothing to go back to.
 * Old releases may have been pruned on the device (it keeps the last few); a rollback to one then says so.
 */
export function pastReleases(
  deployments: readonly Deployment[],
  current: readonly DeviceRelease[],
): PastRelease[] {
  const running = new Set(
    current.filter((r) => r.current !== null).map((r) => `${r.modelName}\0${r.current?.release ?? ''}`),
  );
  const seen = new Set<string>();
  const out: PastRelease[] = [];
  const newestFirst = [...deployments].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const d of newestFirst) {
    if (d.kind !== 'deploy' || d.release === null) continue;
    const key = `${d.modelName}\0${d.release}`;
    if (seen.has(key) || running.has(key)) continue;
    seen.add(key);
    out.push({
      modelName: d.modelName,
      release: d.release,
      variantId: d.variantId,
      deployedAt: d.createdAt,
      deploymentId: d.id,
    });
  }
  return out;
}
