import { Checkbox, NumberInput, SegmentedControl, Stack, TagsInput, Text } from '@mantine/core';
import type {
  Calibrator,
  Fp16Config,
  Int8DynamicConfig,
  Int8StaticConfig,
} from '../../../../shared/schemas/optimize';
import type { Model } from '../../../../shared/schemas/models';
import { defaultOpset } from '../../lib/format';
import type { FormMethod, OptimizeForm } from './optimize-form';

type MethodOptionsProps = {
  form: OptimizeForm;
  model: Model | undefined;
  onConfigs: (configs: OptimizeForm['configs']) => void;
  disabled?: boolean;
};

const calibratorHelp: Record<Calibrator, string> = {
  minmax: 'The full observed range. Fast and safe; outliers widen the range and cost precision.',
  percentile: 'Clips the range at a percentile of |values|: robust to rare outliers.',
  entropy:
    'Picks the range that keeps the distribution closest (KL divergence). Slowest; often best for ReLU nets.',
};

/** Only the options of the chosen method, each with what it does and when to use it. */
export function MethodOptions({ form, model, onConfigs, disabled }: MethodOptionsProps) {
  const opTypes = model?.summary.opHistogram.map((o) => o.opType) ?? [];
  const opset = model ? defaultOpset(model.summary.opsets) : null;
  const set = <M extends FormMethod>(method: M, patch: Partial<OptimizeForm['configs'][M]>) =>
    onConfigs({ ...form.configs, [method]: { ...form.configs[method], ...patch } });

  switch (form.method) {
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
  }
}

function ExcludeInput({
  value,
  onChange,
  opTypes,
  disabled,
}: {
  value: string[];
  onChange: (v: string[]) => void;
  opTypes: string[];
  disabled?: boolean;
}) {
  return (
    <TagsInput
      label="Exclude"
      description="Op types (e.g. Conv) or node names to leave in float. Enter adds one."
      placeholder={value.length === 0 ? 'Nothing excluded' : undefined}
      data={opTypes}
      value={value}
      onChange={onChange}
      size="xs"
      clearable
      disabled={disabled}
      data-testid="option-exclude"
      comboboxProps={{ withinPortal: true }}
    />
  );
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
      <Stack gap={2}>
        <Text size="xs" fw={500} id="calibrator-label">
          Calibrator
        </Text>
        <SegmentedControl
          size="xs"
          fullWidth
          value={config.calibrator}
          onChange={(v) => set({ calibrator: v as Calibrator })}
          data={[
            { value: 'minmax', label: 'MinMax' },
            { value: 'percentile', label: 'Percentile' },
            { value: 'entropy', label: 'Entropy (KL)' },
          ]}
          disabled={disabled}
          aria-labelledby="calibrator-label"
          data-testid="option-calibrator"
        />
        <Text size="xs" c="dimmed">
          {calibratorHelp[config.calibrator]}
        </Text>
      </Stack>
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
            ? `Needs opset ≥ 13; this model has opset ${opset}, so it would be refused.`
            : 'One weight scale per output channel: more accurate for Conv. Needs opset ≥ 13.'
        }
        checked={config.perChannel}
        onChange={(e) => set({ perChannel: e.currentTarget.checked })}
        disabled={disabled}
        error={oldOpset && config.perChannel ? 'Turn this off for this model (opset < 13).' : undefined}
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

function Fp16Options({
  config,
  set,
  opTypes,
  disabled,
}: {
  config: Fp16Config;
  set: (p: Partial<Fp16Config>) => void;
  opTypes: string[];
  disabled?: boolean;
}) {
  return (
    <Stack gap="xs">
      <Checkbox
        size="xs"
        label="Keep float32 inputs and outputs"
        description="Adds Casts at the edges, so callers keep feeding float32. Turn off only if your app sends float16."
        checked={config.keepIoTypes}
        onChange={(e) => set({ keepIoTypes: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-keep-io"
      />
      <TagsInput
        label="Keep in float32 (op types)"
        description="Empty: the default list of ops that lose accuracy or break in float16."
        placeholder={config.blockList?.length ? undefined : 'Default list'}
        data={opTypes}
        value={config.blockList ?? []}
        onChange={(v) => set({ blockList: v.length === 0 ? undefined : v })}
        size="xs"
        clearable
        disabled={disabled}
        data-testid="option-block-list"
        comboboxProps={{ withinPortal: true }}
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
