import { Alert, Button, Group, Paper, Progress, Stack, Text, TextInput } from '@mantine/core';
import { useRef, useState, type DragEvent } from 'react';
import { modelNameSchema } from '../../../../shared/schemas/models';
import { ErrorAlert } from '../../components/error-alert';
import { CheckIcon, ImportIcon } from '../../components/icons';
import type { useImportModel } from './use-import-model';

type ImportPanelProps = {
  importer: ReturnType<typeof useImportModel>;
};

/** Checks the optional name with the contract's own schema, so the user hears about it before uploading. */
function checkName(raw: string): { name: string | undefined; error: string | null } {
  if (raw.trim() === '') return { name: undefined, error: null };
  const parsed = modelNameSchema.safeParse(raw);
  return parsed.success
    ? { name: parsed.data, error: null }
    : { name: undefined, error: parsed.error.issues[0]?.message ?? 'invalid name' };
}

export function ImportPanel({ importer }: ImportPanelProps) {
  const { state, pickAndImport, importFile, cancel, dismiss, canUpload } = importer;
  const [rawName, setRawName] = useState('');
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const { name, error: nameError } = checkName(rawName);
  const busy = state.status === 'uploading' || state.status === 'running';

  const start = () => {
    if (nameError) return;
    // In the browser our own <input> opens the chooser (tests drive it with setInputFiles);
    // under Electron main shows the native dialog and hands back a file reference.
    if (canUpload) input.current?.click();
    else void pickAndImport(name).then(clearNameOnSuccess);
  };

  // A name is for one model: once it is used, the next import starts from the file name again.
  // After a failure it stays, so the user can retry with the same name.
  const clearNameOnSuccess = (imported: boolean) => {
    if (imported) setRawName('');
  };

  const onFiles = (files: FileList | null) => {
    const file = files?.[0];
    if (file && !nameError) void importFile(file, name).then(clearNameOnSuccess);
    if (input.current) input.current.value = '';
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (canUpload && !busy) onFiles(event.dataTransfer.files);
  };

  return (
    <Paper
      withBorder
      p="sm"
      data-testid="import-panel"
      onDragOver={(event) => {
        if (!canUpload) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      style={
        dragging ? { borderColor: 'var(--mantine-primary-color-filled)', borderStyle: 'dashed' } : undefined
      }
    >
      <Stack gap="sm">
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <TextInput
            label="Name (optional)"
            placeholder="Defaults to the file name"
            size="xs"
            w={260}
            value={rawName}
            onChange={(event) => setRawName(event.currentTarget.value)}
            error={nameError}
            disabled={busy}
            data-testid="import-name"
            onKeyDown={(event) => {
              if (event.key === 'Enter') start();
            }}
          />
          <Button
            size="xs"
            leftSection={<ImportIcon size={14} />}
            onClick={start}
            disabled={busy || nameError !== null}
            data-testid="import-button"
          >
            Import ONNX model…
          </Button>
          {canUpload && (
            <Text size="xs" c="dimmed">
              or drop an .onnx file here
            </Text>
          )}
          {canUpload && (
            <input
              ref={input}
              type="file"
              accept=".onnx"
              hidden
              data-testid="import-input"
              aria-label="ONNX model file"
              onChange={(event) => onFiles(event.currentTarget.files)}
            />
          )}
        </Group>

        {(state.status === 'uploading' || state.status === 'running') && (
          <Stack gap={4} data-testid="import-progress-area">
            <Group justify="space-between" gap="xs">
              <Text size="xs">
                Importing <b>{state.fileName}</b> — {state.status === 'uploading' ? 'uploading' : state.phase}
                {state.status === 'running' && state.percent !== null ? ` ${Math.round(state.percent)}%` : ''}
              </Text>
              <Button
                size="compact-xs"
                variant="default"
                onClick={cancel}
                disabled={state.status !== 'running'}
              >
                Cancel
              </Button>
            </Group>
            <Progress
              size="sm"
              value={state.status === 'running' && state.percent !== null ? state.percent : 100}
              animated={state.status === 'uploading' || state.percent === null}
              striped={state.status === 'uploading' || state.percent === null}
              aria-label="Import progress"
              data-testid="import-progress"
            />
          </Stack>
        )}

        {state.status === 'done' && (
          <Alert
            color={state.result.existed ? 'blue' : 'teal'}
            variant="light"
            icon={<CheckIcon size={18} />}
            withCloseButton
            onClose={dismiss}
            closeButtonLabel="Dismiss"
            data-testid="import-notice"
            data-existed={state.result.existed}
            p="xs"
          >
            <Text size="sm">
              {state.result.existed
                ? `“${state.result.model.name}” is already in the library — selected it.`
                : `Imported “${state.result.model.name}”.`}
            </Text>
          </Alert>
        )}

        {state.status === 'failed' && (
          <ErrorAlert
            title={state.error.code === 'CANCELLED' ? 'Import cancelled' : 'Import failed'}
            error={state.error}
            onClose={dismiss}
          />
        )}
      </Stack>
    </Paper>
  );
}
