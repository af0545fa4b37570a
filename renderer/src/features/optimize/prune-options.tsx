import { Checkbox, NumberInput, SegmentedControl, Stack, Text } from '@mantine/core';
import type { PruneChannelsConfig, PruneWeightsConfig } from '../../../../shared/schemas/prune';
import { ExcludeInput } from './exclude-input';

/** Percent in the UI, share (0–1) in the config: users think "30 % of the channels". */
const toShare = (v: string | number) => (typeof v === 'number' ? v / 100 : undefined);

export function PruneChannelsOptions({
  config,
  set,
  opTypes,
  disabled,
}: {
  config: PruneChannelsConfig;
  set: (p: Partial<PruneChannelsConfig>) => void;
  opTypes: string[];
  disabled?: boolean;
}) {
  const byMacs = config.targetMacs !== undefined;
  return (
    <Stack gap="xs">
      <SegmentedControl
        size="xs"
        fullWidth
        value={byMacs ? 'macs' : 'ratio'}
        onChange={(v) =>
          set(
            v === 'macs'
              ? { ratio: undefined, targetMacs: 0.5, latencyAware: false }
              : { ratio: 0.3, targetMacs: undefined },
          )
        }
        data={[
          { value: 'ratio', label: 'Share of channels' },
          { value: 'macs', label: 'MAC target' },
        ]}
        disabled={disabled}
        data-testid="option-prune-mode"
      />
      <NumberInput
        size="xs"
        label={byMacs ? 'Keep this % of the MACs' : 'Remove this % of the channels'}
        description={
          byMacs
            ? 'The ratio is searched for so the pruned model has at most this share of the MACs.'
            : 'Of every group of channels that can be pruned (layers joined by residual adds count as one).'
        }
        min={1}
        max={99}
        suffix=" %"
        value={Math.round(((byMacs ? config.targetMacs : config.ratio) ?? 0.3) * 100)}
        onChange={(v) => {
          const share = toShare(v);
          if (share !== undefined && share > 0 && share < 1)
            set(byMacs ? { targetMacs: share } : { ratio: share });
        }}
        disabled={disabled}
        data-testid="option-prune-amount"
      />
      <Stack gap={2}>
        <Text size="xs" fw={500} id="importance-label">
          Channel importance
        </Text>
        <SegmentedControl
          size="xs"
          fullWidth
          value={config.importance}
          onChange={(v) => set({ importance: v as PruneChannelsConfig['importance'] })}
          data={[
            { value: 'l1', label: 'L1 norm' },
            { value: 'l2', label: 'L2 norm' },
            { value: 'bn-gamma', label: 'BN γ' },
          ]}
          disabled={disabled}
          aria-labelledby="importance-label"
          data-testid="option-importance"
        />
      </Stack>
      <Checkbox
        size="xs"
        label="Sensitivity scan"
        description="Prunes each group alone first and measures the output: sensitive layers lose fewer channels, for the same MACs. Slower."
        checked={config.sensitivity}
        onChange={(e) => set({ sensitivity: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-sensitivity"
      />
      <Checkbox
        size="xs"
        label="Latency-aware"
        description={
          byMacs
            ? 'With a share of channels only.'
            : 'Times each group at a few channel counts on this machine and removes channels where they save the most time. Kept only if it beats the uniform share; about a minute more.'
        }
        checked={config.latencyAware}
        onChange={(e) => set({ latencyAware: e.currentTarget.checked })}
        disabled={disabled || byMacs}
        data-testid="option-latency-aware"
      />
      <Checkbox
        size="xs"
        label="Fine-tune after pruning"
        description="Distils from the unpruned model on the training data below, to win back accuracy."
        checked={config.fineTune}
        onChange={(e) => set({ fineTune: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-fine-tune"
      />
      {config.fineTune && (
        <NumberInput
          size="xs"
          label="Fine-tuning epochs"
          description="Passes over the training data; a deeper cut needs more."
          min={1}
          max={100}
          value={config.fineTuneEpochs}
          onChange={(v) => {
            if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100)
              set({ fineTuneEpochs: v });
          }}
          disabled={disabled}
          data-testid="option-fine-tune-epochs"
        />
      )}
      <ExcludeInput
        value={config.exclude}
        onChange={(exclude) => set({ exclude })}
        opTypes={opTypes}
        disabled={disabled}
        description="Op types or node names whose output channels are kept whole. Enter adds one."
      />
    </Stack>
  );
}

export function PruneWeightsOptions({
  config,
  set,
  opTypes,
  disabled,
}: {
  config: PruneWeightsConfig;
  set: (p: Partial<PruneWeightsConfig>) => void;
  opTypes: string[];
  disabled?: boolean;
}) {
  return (
    <Stack gap="xs">
      <NumberInput
        size="xs"
        label="Sparsity"
        description="Share of the weights set to zero. Smaller once compressed; no faster in ONNX Runtime on CPU."
        min={1}
        max={99}
        suffix=" %"
        value={Math.round(config.sparsity * 100)}
        onChange={(v) => {
          const share = toShare(v);
          if (share !== undefined && share > 0 && share < 1) set({ sparsity: share });
        }}
        disabled={disabled}
        data-testid="option-sparsity"
      />
      <SegmentedControl
        size="xs"
        fullWidth
        value={config.scope}
        onChange={(v) => set({ scope: v as PruneWeightsConfig['scope'] })}
        data={[
          { value: 'global', label: 'Global threshold' },
          { value: 'per-layer', label: 'Same in every layer' },
        ]}
        disabled={disabled}
        data-testid="option-sparsity-scope"
      />
      <Checkbox
        size="xs"
        label="Skip the first and last layers"
        description="They lose the most accuracy when pruned."
        checked={config.skipFirstLast}
        onChange={(e) => set({ skipFirstLast: e.currentTarget.checked })}
        disabled={disabled}
        data-testid="option-skip-first-last"
      />
      <ExcludeInput
        value={config.exclude}
        onChange={(exclude) => set({ exclude })}
        opTypes={opTypes}
        disabled={disabled}
        description="Op types or node names whose weights are left dense. Enter adds one."
      />
    </Stack>
  );
}
