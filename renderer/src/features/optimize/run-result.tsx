import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { verdictTone, type Overrides } from '../../components/auto-report/auto-report-model';
import { AutoReportView } from '../../components/auto-report/auto-report-view';
import { BenchmarkIcon, CheckIcon, DeployIcon } from '../../components/icons';
import { VariantReport } from '../../components/variant-report/variant-report';
import { benchPath, deployPath } from '../bench/bench-link';
import { userExclusions } from './optimize-form';
import type { RunState } from './optimize-session';
import { doneHeadline } from './run-outcome';

type Done = Extract<RunState, { status: 'done' }>;

/**
 * A finished run: the new variant (link), then its report with one-click exclusion and re-run. An auto run
 * shows its whole search first (re-run with per-node overrides), then the stored variant's own report.
 */
export function RunResult({
  run,
  onExclude,
  onRerunWithOverrides,
  modelNames,
  onDismiss,
  busy,
}: {
  run: Done;
  onExclude: (exclude: string[]) => void;
  onRerunWithOverrides: (overrides: Overrides) => void;
  modelNames?: ReadonlyMap<string, string>;
  onDismiss: () => void;
  busy: boolean;
}) {
  const { model, existed } = run.result;
  const report = model.report;
  const form = run.request.form;
  const exclude = userExclusions(form);
  const auto = report?.auto;
  const tone = auto ? verdictTone(auto) : 'recommended';
  return (
    <Stack gap="sm" data-testid="optimize-result" data-variant-id={model.id} data-existed={existed}>
      <Alert
        // Teal says "use this"; an auto search that recommends nothing stored a variant for reference only.
        color={existed ? 'blue' : tone === 'recommended' ? 'teal' : 'gray'}
        variant="light"
        icon={<CheckIcon size={18} />}
        p="xs"
        withCloseButton
        onClose={onDismiss}
        closeButtonLabel="Dismiss"
        data-testid="optimize-done"
      >
        <Group gap="xs">
          <Text size="sm" data-testid="optimize-done-text">
            {doneHeadline(existed, run.request.modelName, auto)}
          </Text>
          <Anchor
            component={Link}
            to={`/models/${encodeURIComponent(model.id)}`}
            size="sm"
            fw={600}
            data-testid="variant-link"
          >
            {model.name}
          </Anchor>
          {exclude.length > 0 && (
            <Text size="xs" c="dimmed" data-testid="result-excluded">
              {form.method === 'auto' ? 'forced float' : 'excluded'}: {exclude.join(', ')}
            </Text>
          )}
          {form.method === 'auto' && form.configs.auto.forceInt8.length > 0 && (
            <Text size="xs" c="dimmed" data-testid="result-forced-int8">
              forced int8: {form.configs.auto.forceInt8.join(', ')}
            </Text>
          )}
        </Group>
        {/* The loop's next steps, with this variant already picked there. */}
        <Group gap="xs" mt="xs">
          <Button
            component={Link}
            to={benchPath(model.id)}
            size="compact-sm"
            variant="default"
            leftSection={<BenchmarkIcon size={14} />}
            data-testid="benchmark-variant"
          >
            Benchmark this
          </Button>
          <Button
            component={Link}
            to={deployPath(model.id)}
            size="compact-sm"
            variant="default"
            leftSection={<DeployIcon size={14} />}
            data-testid="deploy-variant"
          >
            Deploy this
          </Button>
        </Group>
      </Alert>
      {auto && (
        <AutoReportView
          report={auto}
          currentModelId={model.id}
          modelNames={modelNames}
          onRerun={onRerunWithOverrides}
          baseOverrides={{ forceFloat: form.configs.auto.forceFloat, forceInt8: form.configs.auto.forceInt8 }}
          busy={busy}
        />
      )}
      {auto && report && (
        <Title order={2} size="h4">
          The stored variant against the parent
        </Title>
      )}
      {report && auto ? (
        <VariantReport key={model.id} report={report} recipe={model.recipe} />
      ) : report ? (
        <VariantReport
          key={model.id}
          report={report}
          recipe={model.recipe}
          onExclude={onExclude}
          alreadyExcluded={exclude}
          busy={busy}
        />
      ) : (
        <Text size="sm" c="dimmed">
          This model has no report.
        </Text>
      )}
    </Stack>
  );
}
