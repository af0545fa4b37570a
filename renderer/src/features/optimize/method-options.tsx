import { Checkbox, NumberInput, Stack } from '@mantine/core';
import type { Int8DynamicConfig, Int8StaticConfig } from '../../../../shared/schemas/optimize';
import type { Model } from '../../../../shared/schemas/models';
import { defaultOpset } from '../../lib/format';
import { AutoOptions, type TargetChoice } from './auto-options';
import { ExcludeInput } from './exclude-input';
import { Fp16Options } from './fp16-options';
import { PruneChannelsOptions, PruneWeightsOptions } from './prune-options';
import { CalibratorField } from './calibrator-field';
import { checkTraining, type FormMethod, type OptimizeForm } from './optimize-form';
import { DistillOptions, QatOptions } from './training-options';

type MethodOptionsProps = {
  form: OptimizeForm;
  model: Model | undefined;
  onConfigs: (configs: OptimizeForm['configs']) => void;
  /** Hardware profiles for the auto search's speed target. */
  profiles?: readonly TargetChoice[];
  /** The library: distillation may pick an imported student. */
  models?: readonly Model[];
  disabled?: boolean;
};

/** Only the options of the chosen method, each with what it does and when to use it. */
export function MethodOptions({ form, model, onConfigs, profiles, models, disabled }: MethodOptionsProps) {
  const opTypes = model?.summary.opHistogram.map((o) => o.opType) ?? [];
  const opset = model ? defaultOpset(model.summary.opsets) : null;
  const set = <M extends FormMethod>(method: M, patch: Partial<OptimizeForm['configs'][M]>) =>
    onConfigs({ ...form.configs, [method]: { ...form.configs[method], ...patch } });

  switch (form.method) {
    case 'auto':
      return (
        <AutoOptions
          config={form.configs.auto}
          set={(p) => set('auto', p)}
          profiles={profiles}
          disabled={disabled}
        />
      );
    case 'int8-dynamic':
      return (
        <DynamicOptions
          config={form.configs['int8-dynamic']}
          set={(p) => set('int8-dynamic', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'int8-static':
      return (
        <StaticOptions
          config={form.configs['int8-static']}
          set={(p) => set('int8-static', p)}
          opTypes={opTypes}
          opset={opset}
          disabled={disabled}
        />
      );
    case 'fp16':
      return (
        <Fp16Options
          config={form.configs.fp16}
          set={(p) => set('fp16', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'prune-channels':
      return (
        <PruneChannelsOptions
          config={form.configs['prune-channels']}
          set={(p) => set('prune-channels', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'prune-weights':
      return (
        <PruneWeightsOptions
          config={form.configs['prune-weights']}
          set={(p) => set('prune-weights', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'distill':
      return (
        <DistillOptions
          config={form.configs.distill}
          set={(p) => set('distill', p)}
          models={models ?? []}
          teacherId={form.modelId ?? model?.id ?? null}
          error={checkTraining(form).student}
          disabled={disabled}
        />
      );
    case 'qat':
      return <QatOptions config={form.configs.qat} set={(p) => set('qat', p)} disabled={disabled} />;
  }
}

function DynamicOptions({
  config,
  set,
  opTypes,
  disabled,
}: {
  config: Int8DynamicConfig;
  set: (p: Partial<Int8DynamicConfig>) => void;
  opTypes: string[];
  disabled?: boolean;
}) {
  return (
    <Stack gap="xs">
      <Checkbox
        size="xs"
        label="Per-channel weights"
        description="One weight scale per output column of MatMul/Gemm: more accurate, same speed."
        checked={config.perChannel}
        onChange={(e) => set({ perChannel: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-per-channel"
      />
      <Checkbox
        size="xs"
        label="Include Conv"
        description="ConvInteger is slow in ONNX Runtime (often slower than float) and per-tensor only: leave off unless size matters most."
        checked={config.includeConv}
        onChange={(e) => set({ includeConv: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-include-conv"
      />
      <ExcludeInput
        value={config.exclude}
        onChange={(exclude) => set({ exclude })}
        opTypes={opTypes}
        disabled={disabled}
      />
    </Stack>
  );
}

function StaticOptions({
  config,
  set,
  opTypes,
  opset,
  disabled,
}: {
  config: Int8StaticConfig;
  set: (p: Partial<Int8StaticConfig>) => void;
  opTypes: string[];
  opset: number | null;
  disabled?: boolean;
}) {
  const oldOpset = opset !== null && opset < 13;
  return (
    <Stack gap="xs">
      <CalibratorField
        value={config.calibrator}
        onChange={(calibrator) => set({ calibrator })}
        disabled={disabled}
      />
      {config.calibrator === 'percentile' && (
        <NumberInput
          size="xs"
          label="Percentile"
          description="90–100; 99.999 keeps all but the rarest outliers."
          min={90}
          max={100}
          step={0.001}
          decimalScale={4}
          value={config.percentile}
          onChange={(v) => typeof v === 'number' && set({ percentile: v })}
          disabled={disabled}
          data-testid="option-percentile"
        />
      )}
      <Checkbox
        size="xs"
        label="Per-channel weights"
        description={
          oldOpset
            ? `Needs opset ≥ 13; this model has opset ${opset}: it is raised to 13 when that is safe, else the run says so.`
            : 'One weight scale per output channel: more accurate for Conv. On unless you turn it off.'
        }
        // Unset means per-channel whenever the opset allows it (the core decides and reports).
        checked={config.perChannel ?? true}
        onChange={(e) => set({ perChannel: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-per-channel"
      />
      <Checkbox
        size="xs"
        label="Symmetric activations"
        description="int8 with zero point 0 instead of asymmetric uint8: for runtimes that want it; usually less precise after ReLU."
        checked={config.symmetricActivations}
        onChange={(e) => set({ symmetricActivations: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-symmetric"
      />
      <ExcludeInput
        value={config.exclude}
        onChange={(exclude) => set({ exclude })}
        opTypes={opTypes}
        disabled={disabled}
      />
    </Stack>
  );
}
