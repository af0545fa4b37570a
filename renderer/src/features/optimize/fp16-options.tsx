import { Checkbox, Stack, TagsInput } from '@mantine/core';
import type { Fp16Config } from '../../../../shared/schemas/optimize';
import { ExcludeInput } from './exclude-input';

export function Fp16Options({
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
