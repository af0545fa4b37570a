import type { ModelLineage } from '../../shared/schemas/lineage';
import type { BenchService } from './bench';
import type { DeployService } from './deploy/deploy-service';
import type { ModelService } from './models/model-service';

/**
 * A model's way forward from the library: every stored benchmark of its exact file, and every device whose
 * recorded current release is this model (by variant id, or by sha256 for releases recorded before ids).
 * Read from the database only; nothing is contacted.
 */
export function modelLineage(
  deps: { models: ModelService; bench: BenchService; deploy: DeployService },
  ref: string,
): ModelLineage {
  const model = deps.models.get(ref);
  const benchmarks = deps.bench.list({ model: model.id }).map((r) => ({
    id: r.id,
    createdAt: r.createdAt,
    source: r.source,
    targetKind: r.target.kind,
    targetId: r.target.id,
    targetLabel: r.target.label,
    runtime: r.runtime,
    latencyMs: r.measured?.latency.p50Ms ?? r.estimate?.latencyMs ?? null,
  }));
  const runningOn = deps.deploy.status().flatMap((r) => {
    const current = r.current;
    if (current === null) return [];
    const isThis =
      current.variantId === model.id || (current.variantId === null && current.sha256 === model.sha256);
    if (!isThis) return [];
    return [
      {
        deviceId: r.deviceId,
        deviceName: r.deviceName,
        modelName: r.modelName,
        release: current.release,
        since: r.updatedAt,
        deploymentId: r.deploymentId,
      },
    ];
  });
  return { modelId: model.id, benchmarks, runningOn };
}
