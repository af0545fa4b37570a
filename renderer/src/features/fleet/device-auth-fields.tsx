import { Button, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import type { AuthMethod } from '../../../../shared/schemas/fleet';
import type { FieldsProps } from './device-form-fields';

const authChoices: { value: AuthMethod; label: string }[] = [
  { value: 'key', label: 'Key file' },
  { value: 'agent', label: 'ssh-agent' },
  { value: 'password', label: 'Password' },
];

/** How EdgeFleet logs in: a key file (chosen natively in the desktop app), the agent, or a password. */
export function AuthFields({ form }: FieldsProps) {
  return (
    <Stack gap={6}>
      <Text size="xs" fw={500} id="device-auth-label">
        Authentication
      </Text>
      <SegmentedControl
        size="xs"
        data={authChoices}
        value={form.values.authMethod}
        onChange={(v) => form.set('authMethod', v as AuthMethod)}
        aria-labelledby="device-auth-label"
        data-testid="field-authMethod"
        w={320}
      />
      {form.values.authMethod === 'key' && (
        <TextInput
          label="Private key file"
          description={
            form.desktop
              ? 'Under ~/.ssh, or any file chosen with Choose…; a passphrase is asked when connecting, never stored'
              : 'A file under ~/.ssh on the machine EdgeFleet runs on; a passphrase is asked when connecting, never stored'
          }
          placeholder="~/.ssh/id_ed25519"
          required
          {...form.text('keyPath')}
          rightSectionWidth={form.desktop ? 80 : undefined}
          rightSection={
            form.desktop ? (
              <Button size="compact-xs" variant="default" onClick={form.chooseKey} data-testid="choose-key">
                Choose…
              </Button>
            ) : undefined
          }
        />
      )}
      {form.values.authMethod === 'agent' && (
        <Text size="xs" c="dimmed">
          Uses the ssh-agent of the machine EdgeFleet runs on (SSH_AUTH_SOCK).
        </Text>
      )}
      {form.values.authMethod === 'password' && (
        <Text size="xs" c="dimmed">
          The password is asked when EdgeFleet first connects, and kept in memory for this session only.
        </Text>
      )}
    </Stack>
  );
}
