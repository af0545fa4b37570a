import { Alert, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { EmptyState } from '../../components/empty-state';
import { ModelsIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { ImportPanel } from './import-panel';
import { modelRows } from './model-tree';
import { ModelsTable, type Selection } from './models-table';
import { useImportModel } from './use-import-model';

/** What the detail page hands back when it navigates here (after a delete, or "back to the list"). */
export type ModelsLocationState = { selectedId?: string; removedName?: string };

function readState(state: unknown): ModelsLocationState {
  if (typeof state !== 'object' || state === null) return {};
  const { selectedId, removedName } = state as Record<string, unknown>;
  return {
    selectedId: typeof selectedId === 'string' ? selectedId : undefined,
    removedName: typeof removedName === 'string' ? removedName : undefined,
  };
}

export function ModelsPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const fromDetail = readState(location.state);
  const models = useCall('models.list', {});
  const importer = useImportModel();
  const rows = useMemo(() => modelRows(models.data ?? []), [models.data]);
  const [removedNoticeOpen, setRemovedNoticeOpen] = useState(true);

  // The model just imported (new or already there) is the selection; else the one we came back from.
  const { state: importState } = importer;
  const selection = useMemo<Selection | null>(() => {
    if (importState.status === 'done') return { id: importState.result.model.id };
    return fromDetail.selectedId ? { id: fromDetail.selectedId } : null;
  }, [importState, fromDetail.selectedId]);

  const open = (id: string) => navigate(`/models/${encodeURIComponent(id)}`);

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="baseline">
        <PageTitle icon={ModelsIcon}>Models</PageTitle>
        {models.data && (
          <Text size="sm" c="dimmed" data-testid="models-count">
            {models.data.length} {models.data.length === 1 ? 'model' : 'models'}
          </Text>
        )}
      </Group>

      <ImportPanel importer={importer} />

      {fromDetail.removedName && removedNoticeOpen && (
        <Alert
          color="gray"
          variant="light"
          withCloseButton
          onClose={() => setRemovedNoticeOpen(false)}
          closeButtonLabel="Dismiss"
          p="xs"
          data-testid="removed-notice"
        >
          <Text size="sm">Deleted “{fromDetail.removedName}”.</Text>
        </Alert>
      )}

      {models.isPending && (
        <Center p="xl">
          <Loader size="sm" aria-label="Loading models" />
        </Center>
      )}
      {models.error && <ErrorAlert title="Cannot load the model library" error={models.error} />}
      {models.data && rows.length === 0 && (
        <EmptyState
          icon={<ModelsIcon size={22} />}
          title="No models yet"
          description="Import an .onnx file to start: EdgeFleet reads its graph, counts parameters and compute, and keeps a copy in the library."
          testId="models-empty"
        />
      )}
      {rows.length > 0 && <ModelsTable rows={rows} selection={selection} onOpen={open} />}
    </Stack>
  );
}
