import { Autocomplete, Group, NumberInput, SimpleGrid, TagsInput, Textarea, TextInput } from '@mantine/core';
import { monoInput } from './fleet-styles';
import type { DeviceFormState } from './use-device-form';

export type FieldsProps = { form: DeviceFormState };

/** Who the device is and where: name, tags, host, port, user. */
export function IdentityFields({ form, tags }: FieldsProps & { tags: readonly string[] }) {
  return (
    <SimpleGrid cols={2} spacing="sm" verticalSpacing="xs">
      <TextInput
        label="Name"
        description="Letters, digits, . _ - ; used as the CLI and inventory name"
        required
        data-autofocus
        {...form.text('name')}
      />
      <TagsInput
        label="Tags"
        description="Enter or comma after each tag"
        data={tags as string[]}
        value={form.values.tags}
        onChange={(v) => form.set('tags', v)}
        error={form.errors.tags}
        acceptValueOnBlur
        clearable
        size="xs"
        id="device-field-tags"
        data-testid="field-tags"
      />
      <TextInput label="Host" description="DNS name or IP address" required {...form.text('host')} />
      <Group gap="xs" grow align="flex-start" wrap="nowrap">
        <NumberInput
          label="Port"
          value={form.values.port}
          onChange={(v) => form.set('port', v)}
          error={form.errors.port}
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          hideControls
          size="xs"
          id="device-field-port"
          data-testid="field-port"
          maw={90}
        />
        <TextInput
          label="User"
          placeholder={form.mode.kind === 'add' ? 'EdgeFleet’s own user' : undefined}
          {...form.text('user')}
        />
      </Group>
    </SimpleGrid>
  );
}

/** How it is reached and deployed to: jump host, profile, deploy root, the commands, notes. */
export function DeploymentFields({ form, deviceNames }: FieldsProps & { deviceNames: readonly string[] }) {
  return (
    <>
      <SimpleGrid cols={3} spacing="sm" verticalSpacing="xs">
        <Autocomplete
          label="Jump host"
          description="A device name, or user@host:port"
          data={deviceNames.filter((n) => n !== form.values.name) as string[]}
          limit={20}
          value={form.values.jump}
          onChange={(v) => form.set('jump', v)}
          error={form.errors.jump}
          size="xs"
          id="device-field-jump"
          data-testid="field-jump"
        />
        <Autocomplete
          label="Hardware profile"
          description="A built-in profile (benchmark estimates), or your own name"
          data={form.profileChoices}
          limit={20}
          value={form.values.profile}
          onChange={(v) => form.set('profile', v)}
          error={form.errors.profile}
          size="xs"
          id="device-field-profile"
          data-testid="field-profile"
        />
        <TextInput
          label="Deploy root"
          description="Where releases go on the device"
          {...form.text('deployRoot')}
        />
      </SimpleGrid>
      <SimpleGrid cols={2} spacing="sm" verticalSpacing="xs">
        <Textarea
          label="Restart command"
          description="Run by deploy after switching releases"
          autosize
          minRows={1}
          maxRows={6}
          value={form.values.restartCmd}
          onChange={(e) => form.set('restartCmd', e.currentTarget.value)}
          error={form.errors.restartCmd}
          size="xs"
          styles={monoInput}
          id="device-field-restartCmd"
          data-testid="field-restartCmd"
        />
        <Textarea
          label="Health-check command"
          description="Must exit 0 when the new release works"
          autosize
          minRows={1}
          maxRows={6}
          value={form.values.healthCmd}
          onChange={(e) => form.set('healthCmd', e.currentTarget.value)}
          error={form.errors.healthCmd}
          size="xs"
          styles={monoInput}
          id="device-field-healthCmd"
          data-testid="field-healthCmd"
        />
      </SimpleGrid>
      <Textarea
        label="Notes"
        autosize
        minRows={2}
        maxRows={6}
        value={form.values.notes}
        onChange={(e) => form.set('notes', e.currentTarget.value)}
        error={form.errors.notes}
        size="xs"
        id="device-field-notes"
        data-testid="field-notes"
      />
    </>
  );
}
