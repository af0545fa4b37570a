import { Alert, Code, DataList, SimpleGrid, Text } from '@mantine/core';
import {
  recipeSchema,
  type FidelityReport,
  type TrainingReport as Training,
} from '../../../../shared/schemas/optimize';
import { formatCount } from '../../lib/format';
import { SectionCard } from '../section-card';
import { TrainingCurves } from '../training-curves/training-curves';

/** The hyper-parameters a recipe recorded, in the order people tune them; absent keys are left out. */
const recipeKeys = [
  ['epochs', 'Epochs planned'],
  ['temperature', 'Temperature'],
  ['alpha', 'Alpha'],
  ['learningRate', 'Learning rate'],
  ['batchSize', 'Batch size'],
  ['seed', 'Seed'],
  ['checksPerEpoch', 'Held-out checks / epoch'],
] as const;

function studentLabel(student: string): string {
  if (student === 'self') return 'the model itself';
  if (student === 'qdq') return 'the static INT8 (QDQ) model, fake-quantized';
  if (student === 'pruned') return 'the pruned model';
  const width = /^width:(.+)$/.exec(student);
  if (width) return `a narrower copy (${Math.round(Number(width[1]) * 1000) / 10} % of the channels)`;
  if (student.startsWith('model:')) return `imported model ${student.slice('model:'.length)}`;
  return student;
}

/** Mean cosine over the outputs of the final fidelity measurement, or null when none has one. */
function finalCosine(fidelity: FidelityReport): number | null {
  const values = fidelity.outputs.flatMap((o) => (o.cosine === null ? [] : [o.cosine]));
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** "0.9702 before → 0.9815 (epoch 3 kept)" — which weights the variant holds and why. */
function heldOutSummary(training: Training): string {
  const before = training.fidelityBefore!;
  const curve = training.fidelityCurve ?? [];
  const kept = training.keptEpoch ?? curve.length;
  if (kept === 0)
    return `${before.toFixed(4)} before training; no epoch did better, so these are the starting weights`;
  if (training.keptUpdate !== undefined) {
    const at = training.keptCosine;
    return `${before.toFixed(4)} before → ${at === undefined ? '?' : at.toFixed(4)} (update ${training.keptUpdate}, in epoch ${kept}, the best)`;
  }
  const after = curve[kept - 1];
  return `${before.toFixed(4)} before → ${after === undefined ? '?' : after.toFixed(4)} (epoch ${kept}${kept === curve.length ? ', the last' : ', the best'})`;
}

/**
 * A trained variant (distill, qat, fine-tuned pruning): how it was trained (recipe, data hash), the loss and
 * held-out fidelity per epoch, the final fidelity and the throughput; and whether it was cancelled.
 */
export function TrainingReport({
  training,
  fidelity,
  recipe,
}: {
  training: Training;
  fidelity: FidelityReport;
  /** The variant's recorded recipe (untyped in the model row; read with the contract's schema). */
  recipe?: unknown;
}) {
  const parsed = recipeSchema.safeParse(recipe);
  const config = parsed.success ? parsed.data.config : {};
  const cosine = finalCosine(fidelity);
  const heldOut = training.fidelityCurve?.at(-1);
  return (
    <SectionCard title="Training" testId="training-report">
      {training.cancelled && (
        <Alert color="yellow" variant="light" p="xs" data-testid="training-cancelled">
          Cancelled at epoch {training.cancelled.atEpoch} of {training.cancelled.epochs}: this is the model
          {training.cancelled.bestUpdate === undefined
            ? ` after epoch ${training.cancelled.bestEpoch}, the best completed one.`
            : ` after update ${training.cancelled.bestUpdate} (in epoch ${training.cancelled.bestEpoch}), the best held-out check.`}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <DataList size="sm" gap={6} labelWidth="130px" data-testid="training-recipe">
          <DataList.Item>
            <DataList.ItemLabel>Student</DataList.ItemLabel>
            <DataList.ItemValue data-testid="training-student">
              {studentLabel(training.student)}
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Parameters</DataList.ItemLabel>
            <DataList.ItemValue>
              {formatCount(training.studentParameters)} (teacher {formatCount(training.teacherParameters)})
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Epochs trained</DataList.ItemLabel>
            <DataList.ItemValue data-testid="training-epochs">{training.epochs}</DataList.ItemValue>
          </DataList.Item>
          {recipeKeys.map(([key, label]) =>
            typeof config[key] === 'number' ? (
              <DataList.Item key={key}>
                <DataList.ItemLabel>{label}</DataList.ItemLabel>
                <DataList.ItemValue data-testid={`training-recipe-${key}`}>
                  {String(config[key])}
                </DataList.ItemValue>
              </DataList.Item>
            ) : null,
          )}
          <DataList.Item>
            <DataList.ItemLabel>Data</DataList.ItemLabel>
            <DataList.ItemValue>
              {training.samples} samples, {training.labelled ? 'labelled' : 'unlabelled'}
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Data sha256</DataList.ItemLabel>
            <DataList.ItemValue>
              <Code title={training.dataSha256} data-testid="training-data-hash">
                {training.dataSha256.slice(0, 16)}…
              </Code>
            </DataList.ItemValue>
          </DataList.Item>
          <DataList.Item>
            <DataList.ItemLabel>Throughput</DataList.ItemLabel>
            <DataList.ItemValue data-testid="training-throughput">
              {training.samplesPerSecond.toFixed(1)} samples/s
            </DataList.ItemValue>
          </DataList.Item>
          {training.fidelityBefore !== undefined && (
            <DataList.Item>
              <DataList.ItemLabel>Held-out cosine</DataList.ItemLabel>
              <DataList.ItemValue data-testid="training-held-out">
                {heldOutSummary(training)}
              </DataList.ItemValue>
            </DataList.Item>
          )}
          <DataList.Item>
            <DataList.ItemLabel>Final fidelity</DataList.ItemLabel>
            <DataList.ItemValue data-testid="training-final-fidelity">
              {cosine === null
                ? 'not measured'
                : `cosine ${cosine.toFixed(4)} on ${fidelity.samples} samples`}
              {heldOut === undefined ? '' : ` · last epoch held-out ${heldOut.toFixed(4)}`}
            </DataList.ItemValue>
          </DataList.Item>
        </DataList>
        <TrainingCurves
          lossCurve={training.lossCurve}
          fidelityCurve={training.fidelityCurve ?? []}
          testId="training-report-curves"
        />
      </SimpleGrid>
      {training.fidelityCurve === undefined && (
        <Text size="xs" c="dimmed">
          No per-epoch fidelity was recorded for this variant.
        </Text>
      )}
    </SectionCard>
  );
}
