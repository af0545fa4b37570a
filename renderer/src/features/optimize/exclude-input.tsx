import { TagsInput } from '@mantine/core';

/** Op types or node names a single pass leaves in float (the op types of the model are offered). */
export function ExcludeInput({
  value,
  onChange,
  opTypes,
  disabled,
  description = 'Op types (e.g. Conv) or node names to leave in float. Enter adds one.',
}: {
  value: string[];
  onChange: (v: string[]) => void;
  opTypes: string[];
  disabled?: boolean;
  description?: string;
}) {
  return (
    <TagsInput
      label="Exclude"
      description={description}
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
