import { Box, Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import type { DeviceRelease } from '../../../../shared/schemas/deploy';
import { useCall } from '../../api/queries';
import { EmptyState } from '../../components/empty-state';
import { ErrorAlert } from '../../components/error-alert';
import { DeployIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { SectionCard } from '../../components/section-card';
import { countDevices } from '../fleet/fleet-format';
import { deployBlocker, hasTargets, summarizePreview, targetsOf, type DeployForm } from './deploy-form';
import { DeployOptionsFields } from './deploy-options';
import { useDeploySession } from './deploy-session';
import { PreflightSummary } from './preflight-summary';
import { RolloutPanel } from './rollout-panel';
import { TargetPicker } from './target-picker';
import { VariantPicker } from './variant-picker';

export function DeployPage() {
  const models = useCall('models.list', {});
  const devices = useCall('devices.list', {});
  const status = useCall('deploy.status', {});
  const queryClient = useQueryClient();
  const { form, run, setForm, start, cancel, dismiss } = useDeploySession();
  const active = run.status === 'running';

  // "Deploy…" elsewhere links here with ?model=<id>: apply it once, then drop it from the URL so it does not
  // override later choices.
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const presetModel = searchParams.get('model');
  useEffect(() => {
    if (presetModel === null) return;
    setForm((f) => ({ ...f, modelId: presetModel }));
    void navigate({ pathname: location.pathname, search: '' }, { replace: true });
  }, [presetModel, location.pathname, setForm, navigate]);

  const modelsById = useMemo(() => new Map((models.data ?? []).map((m) => [m.id, m])), [models.data]);
  const releasesByDevice = useMemo(() => {
    const map = new Map<string, DeviceRelease[]>();
    for (const r of status.data ?? []) map.set(r.deviceId, [...(map.get(r.deviceId) ?? []), r]);
    return map;
  }, [status.data]);

  const model = form.modelId === null ? undefined : modelsById.get(form.modelId);
  const targets = targetsOf(form.targets);
  const previewEnabled = model !== undefined && hasTargets(form.targets);
  const preview = useCall(
    'deploy.preview',
    { model: form.modelId ?? '', targets: targets.length > 0 ? targets : ['all'] },
    { enabled: previewEnabled },
  );
  const previewData = previewEnabled ? preview.data : undefined;
  const why = deployBlocker(form, {
    modelExists: model !== undefined,
    preview: previewData,
    previewPending: preview.isPending || preview.isFetching,
    previewFailed: preview.isError,
  });
  const summary = previewData ? summarizePreview(previewData) : null;

  // The rows appear under the button, often below the fold: bring them into view when a rollout starts.
  const rolloutRef = useRef<HTMLDivElement>(null);
  const [started, setStarted] = useState(0);
  useEffect(() => {
    if (started > 0) rolloutRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [started]);

  const update = (patch: Partial<DeployForm>) => setForm((f) => ({ ...f, ...patch }));
  const deploy = () => {
    if (active || why !== null || !model || !previewData) return;
    void start({ ...form, modelId: model.id }, model.name, previewData, queryClient);
    setStarted((n) => n + 1);
  };

  const loading = models.isPending || devices.isPending;
  const loadError = models.error ?? devices.error;
  const noModels = models.data?.length === 0;
  const noDevices = devices.data?.length === 0;

  return (
    <Stack gap="sm" data-testid="deploy-page">
      <Group justify="space-between" align="baseline">
        <PageTitle icon={DeployIcon}>Deploy</PageTitle>
        <Text size="xs" c="dimmed">
          Ships one variant over SSH; every device switches atomically and keeps its previous release.
        </Text>
      </Group>

      {loading && (
        <Center p="xl">
          <Loader size="sm" aria-label="Loading models and devices" />
        </Center>
      )}
      {loadError && <ErrorAlert title="Cannot load the models or the devices" error={loadError} />}
      {status.error && <ErrorAlert title="Cannot read what runs where" error={status.error} />}
      {(noModels || noDevices) && (
        <EmptyState
          icon={<DeployIcon size={22} />}
          title={noModels ? 'Nothing to deploy yet' : 'No devices to deploy to yet'}
          description={missingSentence(noModels, noDevices)}
          action={
            noModels ? { label: 'Import a model', to: '/models' } : { label: 'Add devices', to: '/fleet' }
          }
          testId="deploy-missing"
        />
      )}

      {models.data && devices.data && !noModels && !noDevices && (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            <SectionCard title="What to ship" testId="deploy-variant-card">
              <VariantPicker
                models={models.data}
                value={form.modelId}
                onChange={(modelId) => update({ modelId })}
                disabled={active}
              />
            </SectionCard>
            <SectionCard title="Rollout options" testId="deploy-options-card">
              <DeployOptionsFields form={form} onChange={update} disabled={active} />
            </SectionCard>
          </SimpleGrid>

          <SectionCard title="Targets" testId="deploy-targets-card">
            <TargetPicker
              devices={devices.data}
              selection={form.targets}
              onChange={(targets) => update({ targets })}
              releases={releasesByDevice}
              preview={previewData}
              modelsById={modelsById}
              disabled={active}
            />
          </SectionCard>

          <Paper withBorder p="sm" component="section" aria-label="Preflight" data-testid="deploy-run-bar">
            <Stack gap="xs">
              <Title order={2} size="h5">
                Preflight
              </Title>
              <PreflightSummary
                preview={previewData}
                pending={preview.isFetching}
                error={previewEnabled ? preview.error : null}
                idle={!previewEnabled}
              />
              <Group gap="sm" align="center" wrap="nowrap">
                <Button
                  leftSection={<DeployIcon size={16} />}
                  onClick={deploy}
                  disabled={active || why !== null}
                  loading={active}
                  data-testid="deploy-run"
                >
                  {summary && model ? `Deploy ${model.name} to ${countDevices(summary.devices)}` : 'Deploy'}
                </Button>
                <Text size="xs" c="dimmed" data-testid="deploy-blocker">
                  {active
                    ? 'Rolling out: follow each device below.'
                    : (why ?? 'One click: the rollout starts at once.')}
                </Text>
              </Group>
            </Stack>
          </Paper>
        </>
      )}

      <Box ref={rolloutRef} style={{ scrollMarginTop: 'calc(var(--app-shell-header-height, 48px) + 8px)' }}>
        {run.status !== 'idle' && <RolloutPanel run={run} onCancel={cancel} onDismiss={dismiss} />}
      </Box>
    </Stack>
  );
}

function missingSentence(noModels: boolean, noDevices: boolean): string {
  if (noModels && noDevices) {
    return 'Import an ONNX model, then add your devices on the Fleet page and trust their host keys.';
  }
  if (noModels) return 'Import an ONNX model (and make variants of it) to ship it to your devices.';
  return 'Add your devices on the Fleet page and trust their host keys, then ship a variant to them here.';
}
