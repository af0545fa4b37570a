import { Checkbox, NumberInput, Stack } from '@mantine/core';
import type { Int8DynamicConfig, Int8StaticConfig } from '../../../../shared/schemas/optimize';
import { CalibratorField } from './calibrator-field';
import { ExcludeInput } from './exclude-input';

/** Per-channel weights need opset 13; an older model is raised to it when safe, which the help says up front. */
function perChannelHelp(opset: number | null): string {
  return opset !== null && opset < 13
    ? `Needs opset ≥ 13; this model has opset ${opset}: it is raised to 13 when that is safe, else the run says so.`
    : 'One weight scale per output channel: more accurate for Conv. On unless you turn it off.';
}

/** Dynamic INT8: weights only, activations quantized at run time. */
export function Int8DynamicOptions({
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

/** Static INT8: calibrated activation ranges, weights per channel where the opset allows. */
export function Int8StaticOptions({
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
        description={perChannelHelp(opset)}
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
