import { Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { DeviceRelease } from '../../../../shared/schemas/deploy';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { HistoryIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { SectionCard } from '../../components/section-card';
import { DeploymentReportPanel } from './deployment-report';
import { DeploymentsTable } from './deployments-table';
import { DeviceHistoryPanel } from './device-history-panel';
import { DriftControls } from './drift-controls';
import { DriftPanel } from './drift-panel';
import { useHistoryOps, type RollbackRequest } from './history-ops';
import { ReleasesTable } from './releases-table';
import { RollbackDialog } from './rollback-dialog';
import { RollbackResult } from './rollback-result';
import { rollbackRequestFor } from './rollback-words';

const historyLimit = 200;

export function HistoryPage() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const deviceParam = params.get('device');
  const deploymentParam = params.get('deployment');

  const models = useCall('models.list', {});
  const devices = useCall('devices.list', {});
  const status = useCall('deploy.status', {});
  const history = useCall(
    'deploy.history',
    deviceParam === null ? { limit: historyLimit } : { limit: historyLimit, device: deviceParam },
  );
  const modelsById = useMemo(() => new Map((models.data ?? []).map((m) => [m.id, m])), [models.data]);
  const deployments = useMemo(() => history.data ?? [], [history.data]);
  const selectedId = deploymentParam ?? deployments[0]?.id ?? null;

  const ops = useHistoryOps();
  const [reconcile, setReconcile] = useState(false);
  const [asked, setAsked] = useState<RollbackRequest | null>(null);

  const setParam = (key: 'device' | 'deployment', value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value === null) next.delete(key);
      else next.set(key, value);
      // A different device lists different deployments: the report follows the new list's newest.
      if (key === 'device') next.delete('deployment');
      return next;
    });

  const askRollback = (r: DeviceRelease) => setAsked(rollbackRequestFor(r));

  const runRollback = async (request: RollbackRequest) => {
    setAsked(null);
    const final = await ops.runRollback(request, queryClient);
    if (final.status === 'done') setParam('deployment', final.report.deployment.id);
  };

  const rollbackBusy = ops.rollback.status === 'running';
  const driftBusy = ops.drift.status === 'running';
  const noDevices = devices.data?.length === 0;

  return (
    <Stack gap="sm" data-testid="history-page">
      <Group justify="space-between" align="center">
        <PageTitle icon={HistoryIcon}>History</PageTitle>
        <DriftControls
          reconcile={reconcile}
          onReconcile={setReconcile}
          onCheck={() => void ops.checkDrift(reconcile, queryClient)}
          busy={driftBusy}
          noDevices={noDevices}
        />
      </Group>

      {driftBusy && (
        <Text size="xs" c="dimmed" data-testid="drift-running">
          Reading the manifest and the sha256 of the active file on every device…
        </Text>
      )}
      {(ops.drift.status === 'done' || ops.drift.status === 'failed') && (
        <DriftPanel op={ops.drift} modelsById={modelsById} onDismiss={ops.dismissDrift} />
      )}
      {ops.rollback.status !== 'idle' && <RollbackResult op={ops.rollback} onDismiss={ops.dismissRollback} />}

      <SectionCard title="What runs where" testId="history-releases-card">
        {status.isPending && <Loader size="xs" aria-label="Loading what runs where" />}
        {status.error && <ErrorAlert title="Cannot read what runs where" error={status.error} />}
        {status.data && status.data.length === 0 && (
          <EmptyState
            icon={<HistoryIcon size={22} />}
            title="Nothing deployed yet"
            description="Deploy a variant and what each device runs shows here, with its release and lineage."
            action={{ label: 'Deploy a variant', to: '/deploy' }}
            testId="releases-empty"
            framed={false}
          />
        )}
        {status.data && status.data.length > 0 && (
          <ReleasesTable
            releases={status.data}
            modelsById={modelsById}
            selectedDevice={deviceParam}
            onSelectDevice={(name) => setParam('device', name)}
            onRollback={askRollback}
            busy={rollbackBusy}
          />
        )}
      </SectionCard>

      {deviceParam !== null && (
        <DeviceHistoryPanel
          deviceName={deviceParam}
          releases={status.data ?? []}
          deployments={deployments}
          modelsById={modelsById}
          onRollback={setAsked}
          onClose={() => setParam('device', null)}
          busy={rollbackBusy}
        />
      )}

      <SectionCard
        title={deviceParam === null ? 'Deployments' : `Deployments to ${deviceParam}`}
        testId="history-deployments-card"
      >
        {history.isPending && (
          <Center p="md">
            <Loader size="sm" aria-label="Loading the deployments" />
          </Center>
        )}
        {history.error && <ErrorAlert title="Cannot load the deployments" error={history.error} />}
        {history.data && deployments.length === 0 && (
          <EmptyState
            icon={<HistoryIcon size={22} />}
            title={deviceParam === null ? 'No deployments yet' : `No deployments to ${deviceParam}`}
            description="Every rollout and rollback is recorded here, with each device's steps and result."
            testId="deployments-empty"
            framed={false}
          />
        )}
        {deployments.length > 0 && (
          <DeploymentsTable
            deployments={deployments}
            modelsById={modelsById}
            selectedId={selectedId}
            onSelect={(id) => setParam('deployment', id)}
          />
        )}
      </SectionCard>

      {selectedId !== null && <DeploymentReportPanel id={selectedId} modelsById={modelsById} />}

      <RollbackDialog request={asked} onConfirm={(r) => void runRollback(r)} onClose={() => setAsked(null)} />
    </Stack>
  );
}
