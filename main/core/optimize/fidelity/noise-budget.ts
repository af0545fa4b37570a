import type { NoiseBudget, OutputFidelity, TensorFidelity } from '../../../../shared/schemas/optimize';

/** Output SQNR of about cosine 0.999 when the error is uncorrelated noise: 1 − cos ≈ ½·10^(−SQNR/10). */
export const COSINE_0999_DB = 27;

/**
 * Rounding noise made (each quantized activation rounded alone) against what reaches the outputs. Summing the
 * noise powers, each relative to its own tensor, predicts the output's SQNR were every rounding passed on at
 * unit gain; the measured output says how much the network damps or passes on. If every tensor's noise moved
 * alike by k dB the output would move by k: that gives the median rounding SQNR the worst output would need
 * for ≈ cosine 0.999, and the best tenth's rounding SQNR says what this model's activations get at most on
 * their grids. null when no rounding was measured or no output has an SQNR.
 */
export function noiseBudgetOf(
  tensors: readonly TensorFidelity[],
  outputs: readonly OutputFidelity[],
): NoiseBudget | null {
  const rounding = tensors
    .map((t) => t.roundingSqnrDb)
    .filter((db): db is number => typeof db === 'number')
    .sort((a, b) => a - b);
  const measured = outputs.map((o) => o.sqnrDb).filter((db): db is number => db !== null);
  if (rounding.length === 0 || measured.length === 0) return null;
  const outputDb = Math.min(...measured);
  const summedDb = -10 * Math.log10(rounding.reduce((sum, db) => sum + 10 ** (-db / 10), 0));
  const middle = rounding.length / 2;
  const medianDb =
    rounding.length % 2 === 1
      ? rounding[Math.floor(middle)]!
      : (rounding[middle - 1]! + rounding[middle]!) / 2;
  return {
    tensors: rounding.length,
    medianDb,
    bestTenthDb: rounding[Math.min(rounding.length - 1, Math.floor(rounding.length * 0.9))]!,
    summedDb,
    outputDb,
    gainDb: outputDb - summedDb,
    neededMedianDb: medianDb + (COSINE_0999_DB - outputDb),
  };
}

/**
 * Plain words when rounding activations to 8 bits cannot reach ≈ cosine 0.999 on this network: the median
 * rounding would need more than even the best tenth of the model's activations get on their grids (8 bits give
 * a signal spanning its grid 49.9 dB at most, real activations ~30–45), so neither calibration nor leaving a
 * few layers in float will do. null otherwise.
 */
export function noiseBudgetWarning(budget: NoiseBudget | null): string | null {
  if (budget === null || budget.outputDb >= COSINE_0999_DB || budget.neededMedianDb <= budget.bestTenthDb)
    return null;
  const db = (x: number) => `${x.toFixed(1)} dB`;
  const passes =
    budget.gainDb >= 0
      ? `damps their noise by only ${db(budget.gainDb)}`
      : `amplifies their noise by ${db(-budget.gainDb)}`;
  return (
    `This variant rounds ${budget.tensors} activations to 8 bits, and the network ${passes} ` +
    `(${db(budget.summedDb)} summed, ${db(budget.outputDb)} at the output): for about cosine 0.999 the median ` +
    `one would need ${db(budget.neededMedianDb)} of its own: it has ${db(budget.medianDb)}, and even the best ` +
    `tenth get only ${db(budget.bestTenthDb)}. Better calibration or a few layers left in float will not close ` +
    'that gap: use --method auto (INT8 weights with float or dynamic INT8 activations) or int8-dynamic.'
  );
}
