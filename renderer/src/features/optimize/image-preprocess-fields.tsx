import { Group, SegmentedControl, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useId } from 'react';
import type { ImagePreprocess } from '../../../../shared/schemas/optimize';
import { checkPreprocess, type PreprocessForm } from './optimize-form';

type Props = {
  value: PreprocessForm;
  onChange: (value: PreprocessForm) => void;
  testId: string;
  disabled?: boolean;
};

/** How images become the model's input tensor: resize, scale, normalize, channel order and layout. */
export function ImagePreprocessFields({ value, onChange, testId, disabled }: Props) {
  const id = useId();
  const errors = checkPreprocess(value).errors ?? {};
  const set = (patch: Partial<PreprocessForm>) => onChange({ ...value, ...patch });
  return (
    <Stack gap={6} data-testid={testId}>
      <Text size="xs" c="dimmed">
        Each pixel: (value × scale − mean) ÷ std, per channel. ImageNet models usually want scale 1/255, mean
        0.485, 0.456, 0.406 and std 0.229, 0.224, 0.225.
      </Text>
      <SimpleGrid cols={2} spacing="xs" verticalSpacing={6}>
        <TextInput
          size="xs"
          label="Resize height"
          placeholder="model's H"
          value={value.resizeH}
          onChange={(e) => set({ resizeH: e.currentTarget.value })}
          error={errors.resizeH}
          disabled={disabled}
        />
        <TextInput
          size="xs"
          label="Resize width"
          placeholder="model's W"
          value={value.resizeW}
          onChange={(e) => set({ resizeW: e.currentTarget.value })}
          error={errors.resizeW}
          disabled={disabled}
        />
      </SimpleGrid>
      <TextInput
        size="xs"
        label="Scale"
        value={value.scale}
        onChange={(e) => set({ scale: e.currentTarget.value })}
        error={errors.scale}
        disabled={disabled}
      />
      <SimpleGrid cols={2} spacing="xs" verticalSpacing={6}>
        <TextInput
          size="xs"
          label="Mean"
          value={value.mean}
          onChange={(e) => set({ mean: e.currentTarget.value })}
          error={errors.mean}
          disabled={disabled}
        />
        <TextInput
          size="xs"
          label="Std"
          value={value.std}
          onChange={(e) => set({ std: e.currentTarget.value })}
          error={errors.std}
          disabled={disabled}
        />
      </SimpleGrid>
      <Group gap="md">
        <Stack gap={2}>
          <Text size="xs" fw={500} id={`${id}-layout`}>
            Layout
          </Text>
          <SegmentedControl
            size="xs"
            value={value.layout}
            onChange={(v) => set({ layout: v as ImagePreprocess['layout'] })}
            data={['NCHW', 'NHWC']}
            aria-labelledby={`${id}-layout`}
            disabled={disabled}
          />
        </Stack>
        <Stack gap={2}>
          <Text size="xs" fw={500} id={`${id}-order`}>
            Channel order
          </Text>
          <SegmentedControl
            size="xs"
            value={value.channelOrder}
            onChange={(v) => set({ channelOrder: v as ImagePreprocess['channelOrder'] })}
            data={['RGB', 'BGR']}
            aria-labelledby={`${id}-order`}
            disabled={disabled}
          />
        </Stack>
      </Group>
    </Stack>
  );
}
