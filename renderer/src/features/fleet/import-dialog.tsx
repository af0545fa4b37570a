import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ImportReport } from '../../../../shared/schemas/fleet';
import { ErrorAlert } from '../../components/error-alert';
import { canImportValidOnly } from './import-model';
import { ImportReportView } from './import-report';
import { ImportSourcePanel } from './import-source';
import { useDeviceImport } from './use-device-import';

export { formatLabels } from './import-model';

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
  const { input, state: imp } = useDeviceImport(onImported);
  const { outcome, source, busy } = imp;
  const report = outcome.status === 'done' || outcome.status === 'invalid' ? outcome.report : null;

  return (
    <Stack gap="sm">
      <ImportSourcePanel imp={imp} input={input} />

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
      {report && <ImportReportView report={report} />}

      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {outcome.status === 'done' ? 'Done. Import another file, or close.' : ''}
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={onClose} data-testid="import-devices-close">
            {outcome.status === 'done' ? 'Close' : 'Cancel'}
          </Button>
          {canImportValidOnly(outcome, source) && (
            <Button
              size="xs"
              variant="light"
              onClick={() => void imp.run(true)}
              data-testid="import-devices-valid-only"
            >
              Import the valid rows only
            </Button>
          )}
          <Button
            size="xs"
            onClick={() => void imp.run(imp.skipInvalid)}
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
