import { createHash } from 'node:crypto';
import { AppError } from '../../../../shared/errors';
import type { Sample, SampleSource } from '../types';
import type { DataStats } from './data-stats';

export type DataLayout = 'npy-per-sample' | 'npy-per-input-folders' | 'npy-stacked' | 'images' | 'random';

/** Reads sample `index` (0-based, in the source's stable order). */
type SampleLoader = (index: number) => Promise<Sample>;

/** The identity of a range of samples, for the recipe's data hash. */
type SampleDigests =
  | { kind: 'files'; /** 32 bytes per sample: sha256 of that sample's bytes. */ digests: Uint8Array }
  | { kind: 'random'; key: string };

/** A SampleSource as openSampleSource returns it: also its warnings, layout, counters, and cheap slicing. */
export type DataSource = SampleSource & {
  layout: DataLayout;
  /** Things the user should know (files skipped, …); the fidelity report carries them. */
  warnings: string[];
  /** What it holds now and at most so far (shared by its slices). */
  stats: DataStats;
  /** Samples [start, end) as a source of their own, with their own sha256 and labels. */
  slice(start: number, end: number): DataSource;
};

export function isDataSource(source: SampleSource): source is DataSource {
  return 'slice' in source && typeof (source as { slice?: unknown }).slice === 'function';
}

function checkRange(range: { start: number; end: number } | undefined, count: number) {
  const start = range?.start ?? 0;
  const end = range?.end ?? count;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > count || start > end) {
    throw new AppError(
      'BAD_REQUEST',
      `Sample range [${start}, ${end}) is outside the ${count} samples: use 0 ≤ start ≤ end ≤ ${count}.`,
    );
  }
  return { start, end };
}

type SourceParts = {
  /** For the whole set: "12 .npy files in /data/calib". */
  description: string;
  layout: DataLayout;
  load: SampleLoader;
  count: number;
  digests: SampleDigests;
  labels: (number | null)[] | null;
  warnings: string[];
  stats: DataStats;
  random: boolean;
};

/** A source over samples [offset, offset + count) of the parts' loader. */
export function createDataSource(parts: SourceParts, offset = 0, count = parts.count): DataSource {
  const total = parts.count;
  const whole = offset === 0 && count === total;
  const labels = parts.labels?.slice(offset, offset + count) ?? null;
  const description = whole
    ? parts.description
    : `samples ${offset + 1}–${offset + count} of ${total} (${parts.description})`;
  const source: DataSource = {
    description,
    count,
    sha256: digestRange(parts.digests, offset, count, whole),
    random: parts.random,
    labels: labels && labels.some((l) => l !== null) ? labels : null,
    layout: parts.layout,
    warnings: [...parts.warnings],
    stats: parts.stats,
    read(range) {
      const { start, end } = checkRange(range, count);
      return readSamples(parts, offset + start, offset + end);
    },
    slice(start, end) {
      checkRange({ start, end }, count);
      return createDataSource(parts, offset + start, end - start);
    },
  };
  return source;
}

async function* readSamples(parts: SourceParts, start: number, end: number): AsyncGenerator<Sample> {
  const { stats } = parts;
  for (let i = start; i < end; i++) {
    const sample = await parts.load(i);
    stats.samplesLoaded++;
    stats.samplesHeld++;
    stats.maxSamplesHeld = Math.max(stats.maxSamplesHeld, stats.samplesHeld);
    try {
      yield sample;
    } finally {
      // Resumed (next sample asked for) or closed: the consumer is done with this one, and so are we.
      stats.samplesHeld--;
    }
  }
}

/**
 * Files: sha256 over the per-sample digests in order (so a slice's hash needs no second read of the data).
 * Random: sha256 of "random:<seed>:<shapes>", plus the range for a slice.
 */
function digestRange(d: SampleDigests, offset: number, count: number, whole: boolean): string {
  const hash = createHash('sha256');
  if (d.kind === 'random') hash.update(whole ? d.key : `${d.key}:${offset}-${offset + count}`);
  else hash.update(d.digests.subarray(offset * 32, (offset + count) * 32));
  return hash.digest('hex');
}

/** A slice of any SampleSource (one not made here): reads through, hash derived from the parent's. */
function genericSlice(source: SampleSource, start: number, end: number): SampleSource {
  const whole = start === 0 && end === source.count;
  if (whole) return source;
  const labels = source.labels?.slice(start, end) ?? null;
  return {
    description: `samples ${start + 1}–${end} of ${source.count} (${source.description})`,
    count: end - start,
    sha256: createHash('sha256').update(`${source.sha256}:${start}-${end}`).digest('hex'),
    random: source.random,
    labels: labels && labels.some((l) => l !== null) ? labels : null,
    read(range) {
      const r = checkRange(range, end - start);
      return source.read({ start: start + r.start, end: start + r.end });
    },
  };
}

export type EvaluationSplit<S extends SampleSource> = {
  calibration: S;
  evaluation: S;
  /**
   * True when evaluation samples were held out of calibration. False with a single sample: both parts are that
   * sample, and the fidelity report's source must say 'calibration'.
   */
  heldOut: boolean;
};

/**
 * Holds out the last ⌈fraction·count⌉ samples (at least 1, and at least 1 left to calibrate) for evaluation,
 * when there are 2 or more. With 1 sample, calibration and evaluation are both that sample (heldOut false).
 */
export function splitForEvaluation<S extends SampleSource>(source: S, fraction = 0.2): EvaluationSplit<S> {
  if (!(fraction > 0 && fraction < 1)) {
    throw new AppError(
      'BAD_REQUEST',
      `The evaluation fraction must be between 0 and 1 (exclusive), not ${fraction}.`,
    );
  }
  const n = source.count;
  if (n < 2) return { calibration: source, evaluation: source, heldOut: false };
  // The epsilon keeps 15 × 0.2 = 3.0000000000000004 at 3.
  const evalCount = Math.min(n - 1, Math.max(1, Math.ceil(n * fraction - 1e-9)));
  const cut = n - evalCount;
  const part = (start: number, end: number): S =>
    (isDataSource(source) ? source.slice(start, end) : genericSlice(source, start, end)) as S;
  return { calibration: part(0, cut), evaluation: part(cut, n), heldOut: true };
}
