import { Button, CopyButton, Group, Loader, Modal, Select, Stack, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { AppError } from '../../../../shared/errors';
import type { ExportFormat, ExportResult } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { countDevices } from './fleet-format';
import { monoInput } from './fleet-styles';
import { formatLabels } from './import-model';

const fileNames: Record<ExportFormat, string> = {
  csv: 'edgefleet-devices.csv',
  'ansible-ini': 'inventory.ini',
  'ansible-yaml': 'inventory.yml',
  'ssh-config': 'ssh_config',
  'known-hosts': 'known_hosts',
};

type ExportDialogProps = { opened: boolean; onClose: () => void; tags: readonly string[] };

/** The inventory as text in the chosen format: shown, copied, or downloaded as a file. */
export function ExportDialog({ opened, onClose, tags }: ExportDialogProps) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title="Export devices"
      size="xl"
      data-testid="export-dialog"
    >
      {opened && <ExportView onClose={onClose} tags={tags} />}
    </Modal>
  );
}

function ExportView({ onClose, tags }: Omit<ExportDialogProps, 'opened'>) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [tag, setTag] = useState<string | null>(null);
  const client = useClient();
  const params = tag === null ? { format } : { format, tag };
  // Always fresh: the inventory may have changed a second ago (an import, a trust).
  const result = useQuery<ExportResult, AppError>({
    queryKey: callKey('devices.export', params),
    queryFn: () => client.call('devices.export', params),
    staleTime: 0,
    gcTime: 0,
  });

  const download = () => {
    if (!result.data) return;
    const blob = new Blob([result.data.text], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileNames[format];
    link.click();
    // The click has started the download; the URL is no longer needed.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };

  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end">
        <Select
          label="Format"
          size="xs"
          w={260}
          data={Object.entries(formatLabels).map(([value, label]) => ({
            value,
            label: value === 'known-hosts' ? 'known_hosts (pinned keys)' : label,
          }))}
          value={format}
          onChange={(v) => v && setFormat(v as ExportFormat)}
          allowDeselect={false}
          data-testid="export-format"
        />
        <Select
          label="Devices"
          size="xs"
          w={220}
          placeholder="All devices"
          clearable
          data={tags.map((t) => ({ value: t, label: `Tagged ${t}` }))}
          value={tag}
          onChange={setTag}
          data-testid="export-tag"
        />
        {result.isFetching && <Loader size="xs" aria-label="Exporting" />}
      </Group>
      {result.error && <ErrorAlert title="Export failed" error={result.error} />}
      {result.data && (
        <>
          <Text size="xs" c="dimmed" data-testid="export-count">
            {countDevices(result.data.deviceCount)} as {formatLabels[result.data.format]}
          </Text>
          <Textarea
            aria-label="Exported text"
            value={result.data.text}
            readOnly
            autosize
            minRows={6}
            maxRows={18}
            size="xs"
            styles={{ input: { ...monoInput.input, whiteSpace: 'pre', overflowX: 'auto' } }}
            data-testid="export-text"
          />
        </>
      )}
      <Group justify="flex-end" gap="xs">
        <Button size="xs" variant="default" onClick={onClose}>
          Close
        </Button>
        <CopyButton value={result.data?.text ?? ''}>
          {({ copied, copy }) => (
            <Button size="xs" variant="default" onClick={copy} disabled={!result.data}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Button size="xs" onClick={download} disabled={!result.data} data-testid="export-download">
          Download {fileNames[format]}
        </Button>
      </Group>
    </Stack>
  );
}
