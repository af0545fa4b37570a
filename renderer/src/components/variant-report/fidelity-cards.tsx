import { SimpleGrid } from '@mantine/core';
import type { FidelityReport, OptimizeMethod } from '../../../../shared/schemas/optimize';
import { formatBytes } from '../../lib/format';
import { MetricCard } from './metric-card';
import {
  formatCosine,
  formatDb,
  formatMs,
  formatPercent,
  formatRatio,
  gradeAccuracyDrop,
  gradeAgreement,
  gradeCosine,
  gradeLatencyRatio,
  gradeSizeRatio,
  gradeSqnr,
  summarizeOutputs,
} from './report-grades';

/** The headline figures of a variant against its parent: size, speed, and how close its answers are. */
export function FidelityCards({ fidelity, method }: { fidelity: FidelityReport; method: OptimizeMethod }) {
  const summary = summarizeOutputs(fidelity.outputs);
  const { sizeBytes, latencyMs, accuracy } = fidelity;
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: accuracy ? 6 : 5 }} spacing="xs" data-testid="fidelity-cards">
      <MetricCard
        label="Size"
        value={formatRatio(sizeBytes.ratio)}
        grade={gradeSizeRatio(sizeBytes.ratio)}
        detail={`${formatBytes(sizeBytes.parent)} → ${formatBytes(sizeBytes.variant)}`}
        help="File size of the variant divided by its parent's. INT8 weights are about 0.25×, FP16 about 0.5×."
        testId="card-size"
      />
      <MetricCard
        label="Latency"
        value={formatRatio(latencyMs.ratio)}
        grade={gradeLatencyRatio(latencyMs.ratio)}
        detail={`${formatMs(latencyMs.parent)} → ${formatMs(latencyMs.variant)} (${latencyMs.runs} runs)`}
        help={
          method === 'fp16'
            ? 'ONNX Runtime median latency on this machine, variant ÷ parent. FP16 brings no speed-up on x86 CPUs (it is for size, and for GPUs/NPUs).'
            : 'ONNX Runtime median latency on this machine, variant ÷ parent, both timed in the same process. Below 1 is faster; within ±10 % is noise.'
        }
        testId="card-latency"
      />
      <MetricCard
        label="Output SQNR"
        value={formatDb(summary.sqnrDb)}
        grade={gradeSqnr(summary.sqnrDb)}
        detail={summary.worstOutput ? `worst: ${summary.worstOutput}` : 'higher is better'}
        help="Signal-to-quantization-noise ratio of the outputs, the worst output counts. ≥ 25 dB is good for INT8; each 10 dB is 10× less error power."
        testId="card-sqnr"
      />
      <MetricCard
        label="Cosine"
        value={formatCosine(summary.cosine)}
        grade={gradeCosine(summary.cosine)}
        detail="output direction, 1 = same"
        help="Cosine similarity of the variant's outputs to the parent's (worst output). ≥ 0.999 is good."
        testId="card-cosine"
      />
      <MetricCard
        label="Top-1 agreement"
        value={formatPercent(summary.top1Agreement)}
        grade={gradeAgreement(summary.top1Agreement)}
        detail={
          summary.top1Agreement === null
            ? 'outputs are not class scores'
            : `same arg-max on ${fidelity.samples} samples`
        }
        help="Share of samples where the variant picks the same class as the parent. ≥ 99 % is good."
        testId="card-top1"
      />
      {accuracy && (
        <MetricCard
          label="Accuracy"
          value={formatPercent(accuracy.variant)}
          grade={gradeAccuracyDrop(accuracy.parent, accuracy.variant)}
          detail={`parent ${formatPercent(accuracy.parent)} on ${accuracy.samples} labelled`}
          help="Accuracy against the labels in the data, variant and parent. A drop of more than 0.5 points deserves a look."
          testId="card-accuracy"
        />
      )}
    </SimpleGrid>
  );
}
