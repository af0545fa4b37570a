import {
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  type MantineColor,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent } from 'react';
import type { PickedFile } from '../../../../shared/contract';
import { AppError, toAppError } from '../../../../shared/errors';
import {
  importReportSchema,
  type ImportAction,
  type ImportFormat,
  type ImportReport,
} from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { ImportIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';

export const formatLabels: Record<ImportFormat, string> = {
  csv: 'CSV',
  'ansible-ini': 'Ansible inventory (INI)',
  'ansible-yaml': 'Ansible inventory (YAML)',
  'ssh-config': 'ssh_config Host entries',
  'known-hosts': 'known_hosts (pins host keys)',
};

const actionColors: Record<ImportAction, MantineColor> = {
  added: 'teal',
  updated: 'blue',
  unchanged: 'gray',
  skipped: 'yellow',
  rejected: 'red',
};
const actions: ImportAction[] = ['added', 'updated', 'unchanged', 'skipped', 'rejected'];

/** A report lists every row; the dialog draws this many of the chosen kind (the counts cover them all). */
const maxRowsShown = 200;

/** Where the file comes from: a File the page holds (web console), or a native dialog's reference. */
type Source = { kind: 'file'; file: File } | { kind: 'picked'; picked: PickedFile };

type Outcome =
  | { status: 'idle' }
  | { status: 'working'; what: string }
  | { status: 'done'; report: ImportReport }
  | { status: 'invalid'; error: AppError; report: ImportReport }
  | { status: 'failed'; error: AppError };

type ImportDialogProps = {
  opened: boolean;
  onClose: () => void;
  onImported: (report: ImportReport) => void;
};

export function ImportDialog({ opened, onClose, onImported }: ImportDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title="Import devices"
      size="xl"
      data-testid="import-dialog"
    >
      {opened && <ImportForm onClose={onClose} onImported={onImported} />}
    </Modal>
  );
}

function ImportForm({ onClose, onImported }: Omit<ImportDialogProps, 'opened'>) {
  const client = useClient();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [source, setSource] = useState<Source | null>(null);
  const [format, setFormat] = useState<ImportFormat | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ status: 'idle' });
  const [dragging, setDragging] = useState(false);
  const canUpload = client.uploadFile !== null;
  const busy = outcome.status === 'working';

  const choose = async () => {
    if (canUpload) {
      input.current?.click();
      return;
    }
    try {
      const picked = await client.pickData('file', { use: 'inventories' });
      if (picked) {
        setSource({ kind: 'picked', picked });
        setOutcome({ status: 'idle' });
      }
    } catch (err) {
      setOutcome({ status: 'failed', error: toAppError(err) });
    }
  };

  const onFiles = (files: FileList | null) => {
    const file = files?.[0];
    if (file) {
      setSource({ kind: 'file', file });
      setOutcome({ status: 'idle' });
    }
    if (input.current) input.current.value = '';
  };

  /** A reference is used up by one import (main deletes the upload): each attempt sends the file again. */
  const referenceFor = async (from: Source): Promise<PickedFile> => {
    if (from.kind === 'picked') return from.picked;
    if (!client.uploadFile) throw new AppError('BAD_REQUEST', 'This window cannot upload files.');
    return client.uploadFile(from.file);
  };

  const run = async (skip: boolean) => {
    if (!source) return;
    setOutcome({
      status: 'working',
      what: source.kind === 'file' ? 'Uploading and checking every row…' : 'Checking every row…',
    });
    try {
      const ref = await referenceFor(source);
      // The native dialog's reference is released by main after use: the next attempt picks again.
      if (source.kind === 'picked') setSource(null);
      const report = await client.call('devices.import', {
        fileRef: ref.fileRef,
        ...(format === null ? {} : { format }),
        ...(skip ? { skipInvalid: true } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: callKey('devices.list') });
      setOutcome({ status: 'done', report });
      onImported(report);
    } catch (err) {
      const error = toAppError(err);
      const details = error.details as { report?: unknown } | undefined;
      const parsed = error.code === 'IMPORT_INVALID' ? importReportSchema.safeParse(details?.report) : null;
      setOutcome(
        parsed?.success ? { status: 'invalid', error, report: parsed.data } : { status: 'failed', error },
      );
    }
  };

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (canUpload && !busy) onFiles(event.dataTransfer.files);
  };

  const fileName = source?.kind === 'file' ? source.file.name : source?.picked.fileName;
  const fileSize = source?.kind === 'file' ? source.file.size : source?.picked.sizeBytes;
  const report = outcome.status === 'done' || outcome.status === 'invalid' ? outcome.report : null;

  return (
    <Stack gap="sm">
      <Paper
        withBorder
        p="sm"
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
        <Stack gap="xs">
          <Text size="sm">
            CSV, Ansible inventory (INI or YAML: groups become tags), <code>~/.ssh/config</code> Host entries,
            or a <code>known_hosts</code> file (pins the keys of devices already in the inventory). Nothing is
            written unless every row is valid — or you choose to skip the invalid ones.
          </Text>
          <Group gap="sm" align="flex-end">
            <Button
              size="xs"
              variant="default"
              leftSection={<ImportIcon size={14} />}
              onClick={() => void choose()}
              disabled={busy}
              data-testid="import-devices-choose"
            >
              Choose file…
            </Button>
            {canUpload && (
              <input
                ref={input}
                type="file"
                hidden
                aria-label="Inventory file"
                data-testid="import-devices-input"
                onChange={(event) => onFiles(event.currentTarget.files)}
              />
            )}
            <Text size="sm" data-testid="import-devices-file">
              {fileName ? (
                <>
                  <b>{fileName}</b>{' '}
                  <Text span size="xs" c="dimmed">
                    {fileSize !== undefined ? formatBytes(fileSize) : ''}
                  </Text>
                </>
              ) : (
                <Text span size="xs" c="dimmed">
                  {canUpload ? 'or drop a file here' : 'no file chosen'}
                </Text>
              )}
            </Text>
          </Group>
          <Group gap="sm" align="flex-end">
            <Select
              label="Format"
              size="xs"
              w={260}
              placeholder="Detect from the file"
              clearable
              data={Object.entries(formatLabels).map(([value, label]) => ({ value, label }))}
              value={format}
              onChange={(v) => setFormat(v as ImportFormat | null)}
              disabled={busy}
              data-testid="import-devices-format"
            />
            <Checkbox
              size="xs"
              label="Import the valid rows, skip the rejected ones"
              checked={skipInvalid}
              onChange={(e) => setSkipInvalid(e.currentTarget.checked)}
              disabled={busy}
              data-testid="import-devices-skip"
              mb={6}
            />
          </Group>
        </Stack>
      </Paper>

      {outcome.status === 'working' && (
        <Text size="sm" aria-live="polite" data-testid="import-devices-working">
          {outcome.what}
        </Text>
      )}
      {outcome.status === 'failed' && (
        <ErrorAlert title="Import failed" error={outcome.error} testId="import-devices-error" />
      )}
      {outcome.status === 'invalid' && (
        <ErrorAlert title="Nothing was imported" error={outcome.error} testId="import-devices-error" />
      )}
      {report && <ReportView report={report} />}

      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {outcome.status === 'done' ? 'Done. Import another file, or close.' : ''}
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={onClose} data-testid="import-devices-close">
            {outcome.status === 'done' ? 'Close' : 'Cancel'}
          </Button>
          {outcome.status === 'invalid' &&
            source &&
            outcome.report.counts.rejected < outcome.report.rows.length && (
              <Button
                size="xs"
                variant="light"
                onClick={() => void run(true)}
                data-testid="import-devices-valid-only"
              >
                Import the valid rows only
              </Button>
            )}
          <Button
            size="xs"
            onClick={() => void run(skipInvalid)}
            disabled={!source || busy}
            loading={busy}
            data-testid="import-devices-submit"
          >
            Import
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

function ReportView({ report }: { report: ImportReport }) {
  const firstKind: ImportAction | 'all' = report.counts.rejected > 0 ? 'rejected' : 'all';
  const [kind, setKind] = useState<ImportAction | 'all'>(firstKind);
  const rows = kind === 'all' ? report.rows : report.rows.filter((r) => r.action === kind);
  return (
    <Stack gap="xs" data-testid="import-report" data-applied={report.applied}>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          {report.applied ? 'Imported' : 'Checked'} as {formatLabels[report.format]}:
        </Text>
        {actions.map((a) => (
          <Badge
            key={a}
            size="sm"
            variant={report.counts[a] > 0 ? 'light' : 'outline'}
            color={actionColors[a]}
            tt="none"
            data-testid={`import-count-${a}`}
            data-count={report.counts[a]}
          >
            {report.counts[a].toLocaleString('en-US')} {a}
          </Badge>
        ))}
      </Group>
      {report.notes.map((note, i) => (
        <Text key={`${i}:${note}`} size="xs" c="dimmed">
          {note}
        </Text>
      ))}
      {report.rows.length > 0 && (
        <>
          <SegmentedControl
            size="xs"
            value={kind}
            onChange={(v) => setKind(v as ImportAction | 'all')}
            data={[
              { value: 'all', label: `All rows (${report.rows.length})` },
              ...actions
                .filter((a) => report.counts[a] > 0)
                .map((a) => ({ value: a, label: `${a} (${report.counts[a]})` })),
            ]}
            aria-label="Rows to show"
            w="fit-content"
          />
          <ScrollArea.Autosize mah={280} type="auto">
            <Table withTableBorder verticalSpacing={3} fz="xs" data-testid="import-rows">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={60}>Line</Table.Th>
                  <Table.Th w={180}>Device</Table.Th>
                  <Table.Th w={90}>Result</Table.Th>
                  <Table.Th>Why / what changes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.slice(0, maxRowsShown).map((row, i) => (
                  <Table.Tr
                    key={`${row.line ?? 'x'}-${row.name ?? ''}-${i}`}
                    data-testid="import-row"
                    data-action={row.action}
                  >
                    <Table.Td>{row.line ?? '—'}</Table.Td>
                    <Table.Td>{row.name ?? '—'}</Table.Td>
                    <Table.Td>
                      <Text span size="xs" c={actionColors[row.action]} fw={500}>
                        {row.action}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'normal' }}>
                      {row.reason ?? (row.changes.length > 0 ? row.changes.join(', ') : '')}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
          {rows.length > maxRowsShown && (
            <Text size="xs" c="dimmed">
              Showing the first {maxRowsShown} of {rows.length.toLocaleString('en-US')} rows.
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}
