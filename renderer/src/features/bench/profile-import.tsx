import { Alert, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { z } from 'zod';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { ProfileImportResult } from '../../../../shared/schemas/bench';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { CheckIcon, ImportIcon } from '../../components/icons';

const issuesSchema = z.object({
  file: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
type Issues = z.infer<typeof issuesSchema>;

type Outcome =
  | { status: 'idle' }
  | { status: 'working'; file: string }
  | { status: 'done'; result: ProfileImportResult }
  | { status: 'invalid'; file: string; issues: Issues['issues'] }
  | { status: 'failed'; error: AppError };

/** Upload a JSON/YAML file of user profiles; a bad file lists every field that is wrong and why. */
export function ProfileImport() {
  const client = useClient();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<Outcome>({ status: 'idle' });

  const importRef = async (fileRef: string, name: string) => {
    setOutcome({ status: 'working', file: name });
    try {
      const result = await client.call('profiles.import', { fileRef });
      await queryClient.invalidateQueries({ queryKey: callKey('profiles.list') });
      setOutcome({ status: 'done', result });
    } catch (err) {
      const error = toAppError(err);
      const details = issuesSchema.safeParse(error.details);
      setOutcome(
        error.code === 'PROFILE_INVALID' && details.success
          ? { status: 'invalid', file: details.data.file ?? name, issues: details.data.issues }
          : { status: 'failed', error },
      );
    }
  };

  const choose = async () => {
    if (client.uploadFile) {
      input.current?.click();
      return;
    }
    try {
      const picked = await client.pickData('file');
      if (picked) await importRef(picked.fileRef, picked.fileName);
    } catch (err) {
      setOutcome({ status: 'failed', error: toAppError(err) });
    }
  };

  const onFile = async (file: File | undefined) => {
    if (input.current) input.current.value = '';
    if (!file) return;
    if (!client.uploadFile) return;
    setOutcome({ status: 'working', file: file.name });
    try {
      const picked = await client.uploadFile(file);
      await importRef(picked.fileRef, file.name);
    } catch (err) {
      setOutcome({ status: 'failed', error: toAppError(err) });
    }
  };

  return (
    <Stack gap="xs" data-testid="profile-import">
      <Group gap="xs">
        <Button
          size="xs"
          variant="default"
          leftSection={<ImportIcon size={14} />}
          onClick={() => void choose()}
          loading={outcome.status === 'working'}
          data-testid="profile-import-button"
        >
          Import profiles…
        </Button>
        <Text size="xs" c="dimmed">
          JSON or YAML: one profile, a list, or <Code>{'{ profiles: [...] }'}</Code>. Same fields as the
          built-ins.
        </Text>
        <input
          ref={input}
          type="file"
          accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
          hidden
          aria-hidden="true"
          tabIndex={-1}
          onChange={(e) => void onFile(e.currentTarget.files?.[0])}
          data-testid="profile-import-input"
        />
      </Group>
      {outcome.status === 'done' && (
        <Alert
          color="teal"
          variant="light"
          p="xs"
          icon={<CheckIcon size={16} />}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setOutcome({ status: 'idle' })}
          data-testid="profile-import-done"
        >
          <Text size="sm">
            Imported {outcome.result.imported.length} profile{outcome.result.imported.length === 1 ? '' : 's'}{' '}
            from {outcome.result.file}:{' '}
            {outcome.result.imported.map((p) => `${p.id} (${p.action})`).join(', ')}
          </Text>
        </Alert>
      )}
      {outcome.status === 'invalid' && (
        <Alert
          color="red"
          variant="light"
          p="xs"
          title={`${outcome.file} was not imported: ${outcome.issues.length} problem${outcome.issues.length === 1 ? '' : 's'}`}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setOutcome({ status: 'idle' })}
          data-testid="profile-import-invalid"
          data-error-code="PROFILE_INVALID"
        >
          <Table withRowBorders={false} verticalSpacing={2} data-testid="profile-import-issues">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Field</Table.Th>
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {outcome.issues.map((issue, i) => (
                <Table.Tr key={`${issue.path}-${i}`} data-testid="profile-issue" data-path={issue.path}>
                  <Table.Td ff="monospace">{issue.path === '' ? '(file)' : issue.path}</Table.Td>
                  <Table.Td>{issue.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" mt={4}>
            Fix these fields and import again: nothing from this file was imported.
          </Text>
        </Alert>
      )}
      {outcome.status === 'failed' && (
        <ErrorAlert
          title="Import failed"
          error={outcome.error}
          onClose={() => setOutcome({ status: 'idle' })}
          testId="profile-import-error"
        />
      )}
    </Stack>
  );
}
