import type { NoiseBudget } from './schemas/optimize';

const db = (x: number) => `${x.toFixed(1)} dB`;

/** One line on where a variant's rounding noise comes from and how much reaches the output (CLI and UI). */
export function describeNoiseBudget(b: NoiseBudget): string {
  const gain = b.gainDb >= 0 ? `damps it by ${db(b.gainDb)}` : `amplifies it by ${db(-b.gainDb)}`;
  return (
    `Rounding noise: ${b.tensors} activations, median ${db(b.medianDb)} each alone, ${db(b.summedDb)} summed; ` +
    `${db(b.outputDb)} at the output (the network ${gain}).`
  );
}
