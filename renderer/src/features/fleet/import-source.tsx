import { Button, Checkbox, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { useState, type DragEvent, type RefObject } from 'react';
import type { ImportFormat } from '../../../../shared/schemas/fleet';
import { ImportIcon } from '../../components/icons';
import { formatBytes } from '../../lib/format';
import { formatLabels, sourceName } from './import-model';
import type { DeviceImport } from './use-device-import';

/** The file to import (chosen, or dropped in the web console), its format and whether to skip bad rows. */
export function ImportSourcePanel({
  imp,
  input,
}: {
  imp: DeviceImport;
  input: RefObject<HTMLInputElement | null>;
}) {
  const [dragging, setDragging] = useState(false);
  const file = sourceName(imp.source);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    if (imp.canUpload && !imp.busy) imp.onFiles(event.dataTransfer.files);
  };

  return (
    <Paper
      withBorder
      p="sm"
      onDragOver={(event) => {
        if (!imp.canUpload) return;
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
            onClick={() => void imp.choose()}
            disabled={imp.busy}
            data-testid="import-devices-choose"
          >
            Choose file…
          </Button>
          {imp.canUpload && (
            <input
              ref={input}
              type="file"
              hidden
              aria-label="Inventory file"
              data-testid="import-devices-input"
              onChange={(event) => imp.onFiles(event.currentTarget.files)}
            />
          )}
          <Text size="sm" data-testid="import-devices-file">
            {file ? (
              <>
                <b>{file.name}</b>{' '}
                <Text span size="xs" c="dimmed">
                  {formatBytes(file.sizeBytes)}
                </Text>
              </>
            ) : (
              <Text span size="xs" c="dimmed">
                {imp.canUpload ? 'or drop a file here' : 'no file chosen'}
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
            value={imp.format}
            onChange={(v) => imp.setFormat(v as ImportFormat | null)}
            disabled={imp.busy}
            data-testid="import-devices-format"
          />
          <Checkbox
            size="xs"
            label="Import the valid rows, skip the rejected ones"
            checked={imp.skipInvalid}
            onChange={(e) => imp.setSkipInvalid(e.currentTarget.checked)}
            disabled={imp.busy}
            data-testid="import-devices-skip"
            mb={6}
          />
        </Group>
      </Stack>
    </Paper>
  );
}
