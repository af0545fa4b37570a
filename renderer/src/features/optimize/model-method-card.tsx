import { SegmentedControl, Text } from '@mantine/core';
import type { Model } from '../../../../shared/schemas/models';
import { SectionCard } from '../../components/section-card';
import { ModelPicker } from './model-picker';
import { methodHelp, methodLabels, type FormMethod } from './optimize-form';

/** The order of the method list: the auto search first (it needs no guessing), training methods last. */
const methods: FormMethod[] = [
  'auto',
  'int8-static',
  'int8-dynamic',
  'fp16',
  'prune-channels',
  'prune-weights',
  'distill',
  'qat',
];

/** Which model to optimize and with which method, with what the method does. */
export function ModelMethodCard({
  models,
  modelId,
  method,
  onModel,
  onMethod,
  disabled,
}: {
  models: readonly Model[];
  modelId: string | null;
  method: FormMethod;
  onModel: (id: string | null) => void;
  onMethod: (method: FormMethod) => void;
  disabled: boolean;
}) {
  return (
    <SectionCard title="Model and method" testId="optimize-model-card">
      <ModelPicker models={models} value={modelId} onChange={onModel} disabled={disabled} />
      {/* Vertical: four methods do not fit side by side in a third of the page. */}
      <SegmentedControl
        size="xs"
        fullWidth
        orientation="vertical"
        value={method}
        onChange={(v) => onMethod(v as FormMethod)}
        data={methods.map((m) => ({ value: m, label: methodLabels[m] }))}
        disabled={disabled}
        aria-label="Method"
        data-testid="optimize-method"
      />
      <Text size="xs" c="dimmed" data-testid="optimize-method-help">
        {methodHelp[method]}
      </Text>
    </SectionCard>
  );
}
