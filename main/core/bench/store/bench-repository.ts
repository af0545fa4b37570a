import type { Database } from 'better-sqlite3';
import type {
  BenchResult,
  BenchSettings,
  BenchTarget,
  MeasuredPeaks,
} from '../../../../shared/schemas/bench';
import { benchResultSchema, measuredPeaksSchema } from '../../../../shared/schemas/bench';

/**
 * SQL for benchmark results and calibrations. A result is one row; `settings_key` groups results that measure the
 * same thing (threads, optimization level, input shapes and dtypes — not the iteration count), so a variant's
 * history on a target across ORT versions is one indexed query.
 */

type ResultRow = { json: string };

export function settingsKey(s: BenchSettings): string {
  const inputs = s.inputs.map((i) => `${i.name}:${i.dtype}[${i.dims.join(',')}]`).join(';');
  return `t${s.threads}|${s.optimizationLevel}|${inputs}`;
}

type ResultFilter = {
  modelId?: string;
  target?: Pick<BenchTarget, 'kind' | 'id'>;
  source?: BenchResult['source'];
  settingsKey?: string;
  /** Newest first; default 200. */
  limit?: number;
};

/** How many recent device measurements a profile's correction factor is the median of. */
const correctionWindow = 20;

export class BenchRepository {
  constructor(private readonly db: Database) {}

  insert(result: BenchResult): void {
    this.db
      .prepare(
        `INSERT INTO bench_results (id, created_at, model_id, model_sha256, source, target_kind, target_id, profile_id,
           settings_key, ort_version, runtime, p50_ms, predicted_ms, peak_rss_bytes, json)
         VALUES (@id, @createdAt, @modelId, @modelSha256, @source, @targetKind, @targetId, @profileId,
           @settingsKey, @ortVersion, @runtime, @p50, @predictedMs, @peakRss, @json)`,
      )
      .run({
        id: result.id,
        createdAt: result.createdAt,
        modelId: result.modelId,
        modelSha256: result.modelSha256,
        source: result.source,
        targetKind: result.target.kind,
        targetId: result.target.id,
        profileId: result.profileId,
        settingsKey: settingsKey(result.settings),
        ortVersion: result.ortVersion,
        runtime: result.runtime,
        p50: result.measured?.latency.p50Ms ?? result.estimate?.latencyMs ?? 0,
        predictedMs: result.predictedMs,
        peakRss: result.measured?.peakRssBytes ?? null,
        json: JSON.stringify(result),
      });
  }

  list(filter: ResultFilter = {}): BenchResult[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: filter.limit ?? 200 };
    if (filter.modelId !== undefined) {
      where.push('model_id = @modelId');
      params['modelId'] = filter.modelId;
    }
    if (filter.target !== undefined) {
      where.push('target_kind = @targetKind AND target_id = @targetId');
      params['targetKind'] = filter.target.kind;
      params['targetId'] = filter.target.id;
    }
    if (filter.source !== undefined) {
      where.push('source = @source');
      params['source'] = filter.source;
    }
    if (filter.settingsKey !== undefined) {
      where.push('settings_key = @settingsKey');
      params['settingsKey'] = filter.settingsKey;
    }
    const rows = this.db
      .prepare(
        `SELECT json FROM bench_results ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
      )
      .all(params) as ResultRow[];
    return rows.map((r) => benchResultSchema.parse(JSON.parse(r.json)));
  }

  /** A variant's measured results on one target, oldest first: how its latency moved across ORT versions. */
  history(modelId: string, target: Pick<BenchTarget, 'kind' | 'id'>, key?: string): BenchResult[] {
    return this.list({
      modelId,
      target,
      source: 'measured',
      settingsKey: key,
      limit: 10_000,
    }).reverse();
  }

  /**
   * measured ÷ predicted over the latest device measurements of a profile (median): how far the estimator is off
   * on that hardware. Null until a device of the profile was measured with a prediction to compare.
   */
  correctionFor(profileId: string): { factor: number; basedOn: number } | null {
    const rows = this.db
      .prepare(
        `SELECT p50_ms AS measured, predicted_ms AS predicted FROM bench_results
         WHERE profile_id = ? AND source = 'measured' AND target_kind = 'device' AND predicted_ms > 0
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(profileId, correctionWindow) as { measured: number; predicted: number }[];
    if (rows.length === 0) return null;
    const ratios = rows.map((r) => r.measured / r.predicted).sort((a, b) => a - b);
    const mid = Math.floor(ratios.length / 2);
    const median =
      ratios.length % 2 === 1 ? (ratios[mid] ?? 1) : ((ratios[mid - 1] ?? 1) + (ratios[mid] ?? 1)) / 2;
    return { factor: Math.round(median * 1000) / 1000, basedOn: rows.length };
  }

  saveCalibration(id: string, hostKey: string, peaks: MeasuredPeaks): void {
    this.db
      .prepare(
        `INSERT INTO bench_calibrations (id, created_at, host_key, threads, ort_version, json)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(id, peaks.measuredAt, hostKey, peaks.threads, peaks.ortVersion, JSON.stringify(peaks));
  }

  /** The newest calibration for this host, thread count and ORT version, if younger than `maxAgeMs`. */
  latestCalibration(
    hostKey: string,
    threads: number,
    ortVersion: string,
    maxAgeMs: number,
  ): MeasuredPeaks | null {
    const row = this.db
      .prepare(
        `SELECT json FROM bench_calibrations WHERE host_key = ? AND threads = ? AND ort_version = ?
         ORDER BY created_at DESC LIMIT 1`,
      )
      .get(hostKey, threads, ortVersion) as ResultRow | undefined;
    if (!row) return null;
    const parsed = measuredPeaksSchema.safeParse(JSON.parse(row.json));
    if (!parsed.success) return null;
    return Date.now() - Date.parse(parsed.data.measuredAt) <= maxAgeMs ? parsed.data : null;
  }
}
