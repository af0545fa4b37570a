import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Center,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router';
import { useCall } from '../../api/queries';
import { ErrorAlert } from '../../components/error-alert';
import { ModelsIcon, OptimizeIcon } from '../../components/icons';
import { PageTitle } from '../../components/page-title';
import { WhereItRuns } from './detail/where-it-runs';
import { SectionCard } from '../../components/section-card';
import { optimizePath, presetFromRecipe, randomCalibrationFromRecipe } from '../optimize/optimize-link';
import { formatBytes, formatCount } from '../../lib/format';
import { BarList } from './detail/bar-list';
import { DeleteModelButton } from './detail/delete-model-button';
import { LineageCard } from './detail/lineage-card';
import { ModelReportSection } from './detail/model-report-section';
import { ComputeList, OverviewList } from './detail/model-facts';
import { TensorTable } from './detail/tensor-table';
import type { ModelsLocationState } from './models-page';

export function ModelDetailPage() {
  const { id = '' } = useParams();
  const model = useCall('models.get', { ref: id }, { enabled: id !== '' });
  const back: ModelsLocationState = { selectedId: id };
  const navigate = useNavigate();
  const preset = model.data?.parentId ? presetFromRecipe(model.data) : null;

  return (
    <Stack gap="sm" data-testid="model-detail">
      <Breadcrumbs separator="›" fz="sm">
        <Anchor component={Link} to="/models" state={back} size="sm" data-testid="back-to-models">
          Models
        </Anchor>
        <Text size="sm">{model.data?.name ?? id}</Text>
      </Breadcrumbs>

      {model.isPending && (
        <Center p="xl">
          <Loader size="sm" aria-label="Loading model" />
        </Center>
      )}
      {model.error && <ErrorAlert title="Cannot open this model" error={model.error} />}

      {model.data && (
        <>
          <Group justify="space-between" align="center">
            <Group gap="xs" align="baseline">
              <PageTitle icon={ModelsIcon} testId="model-title">
                {model.data.name}
              </PageTitle>
              {model.data.method && <Badge variant="light">{model.data.method}</Badge>}
              {model.data.parentId && (
                <Anchor component={Link} to={`/models/${encodeURIComponent(model.data.parentId)}`} size="sm">
                  parent model
                </Anchor>
              )}
            </Group>
            <Group gap="xs">
              {model.data.parentId && preset && (
                <Button
                  size="xs"
                  variant="default"
                  onClick={() =>
                    void navigate(optimizePath(model.data.parentId ?? ''), {
                      state: { preset, calibration: randomCalibrationFromRecipe(model.data) },
                    })
                  }
                  data-testid="tune-variant"
                >
                  Tune and re-run…
                </Button>
              )}
              <Button
                size="xs"
                variant="light"
                leftSection={<OptimizeIcon size={14} />}
                onClick={() => void navigate(optimizePath(model.data.id))}
                data-testid="optimize-model"
              >
                Optimize…
              </Button>
              <DeleteModelButton model={model.data} />
            </Group>
          </Group>

          {model.data.parentId !== null && (
            <SectionCard title="Lineage" testId="model-lineage">
              <LineageCard model={model.data} />
            </SectionCard>
          )}
          <SectionCard title="Benchmarks and devices" testId="model-where">
            <WhereItRuns modelId={model.data.id} />
          </SectionCard>
          {model.data.report && <ModelReportSection model={{ ...model.data, report: model.data.report }} />}

          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            <SectionCard title="Overview" testId="model-overview">
              <OverviewList model={model.data} />
            </SectionCard>
            <SectionCard title="Size and compute" testId="model-compute">
              <ComputeList model={model.data} />
              {model.data.summary.macsByOpType.length > 0 && (
                <BarList
                  testId="macs-by-op"
                  rowTestId="macs-row"
                  bars={model.data.summary.macsByOpType.map((entry) => ({
                    key: entry.opType,
                    label: entry.opType,
                    value: entry.macs,
                    display: `${formatCount(entry.macs)} MACs`,
                  }))}
                />
              )}
            </SectionCard>
          </SimpleGrid>

          <SectionCard title="Inputs and outputs" testId="model-io">
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
              <TensorTable tensors={model.data.summary.inputs} testId="model-inputs" caption="Inputs" />
              <TensorTable tensors={model.data.summary.outputs} testId="model-outputs" caption="Outputs" />
            </SimpleGrid>
          </SectionCard>

          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
            <SectionCard
              title={`Operators (${model.data.summary.nodeCount} nodes)`}
              testId="op-histogram-card"
            >
              <BarList
                testId="op-histogram"
                rowTestId="op-row"
                bars={model.data.summary.opHistogram.map((entry) => ({
                  key: `${entry.domain}:${entry.opType}`,
                  label: entry.opType,
                  note: entry.domain && entry.domain !== 'ai.onnx' ? entry.domain : undefined,
                  value: entry.count,
                  display: String(entry.count),
                }))}
              />
            </SectionCard>
            <SectionCard title="Weights by data type" testId="weights-card">
              {model.data.summary.weightBytesByDtype.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No stored weights.
                </Text>
              ) : (
                <BarList
                  testId="weights-by-dtype"
                  rowTestId="weights-row"
                  bars={model.data.summary.weightBytesByDtype.map((entry) => ({
                    key: entry.dtype,
                    label: entry.dtype,
                    note: `${entry.tensors} ${entry.tensors === 1 ? 'tensor' : 'tensors'}`,
                    value: entry.bytes,
                    display: formatBytes(entry.bytes),
                  }))}
                />
              )}
            </SectionCard>
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
