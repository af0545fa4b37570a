import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { AppError } from '../../../../shared/errors';
import type { AutoReport } from '../../../../shared/schemas/optimize';
import { verdictTone, type Overrides } from '../../components/auto-report/auto-report-model';
import { AutoReportView } from '../../components/auto-report/auto-report-view';
import { ErrorAlert } from '../../components/error-alert';
import { BenchmarkIcon, CheckIcon, DeployIcon } from '../../components/icons';
import { VariantReport } from '../../components/variant-report/variant-report';
import { benchPath, deployPath } from '../bench/bench-link';
import { userExclusions } from './optimize-form';
import type { RunState } from './optimize-session';

type Done = Extract<RunState, { status: 'done' }>;
type Failed = Extract<RunState, { status: 'failed' }>;

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

function doneHeadline(existed: boolean, parent: string, auto: AutoReport | undefined): string {
  if (existed) return 'Same bytes as the variant already in the library:';
  if (!auto) return `Stored the variant of “${parent}”:`;
  const stored = auto.candidates.filter((c) => c.savedAs !== null).length;
  const others = stored > 1 ? ` (and ${stored - 1} more on the Pareto front, linked below)` : '';
  switch (verdictTone(auto)) {
    case 'recommended':
      return `Stored the recommended variant of “${parent}”${others}:`;
    case 'deploy-parent':
      return `For speed, deploy “${parent}” itself; saved for size only${others}:`;
    case 'goal-not-met':
      return `Goal not met; saved the closest variant of “${parent}” for reference${others}:`;
  }
}

/** What a failure code lets the user do right here, besides reading the message. */
export type FixAction = { label: string; run: () => void };

export function RunFailure({
  run,
  onDismiss,
  fixes,
}: {
  run: Failed;
  onDismiss: () => void;
  fixes: readonly FixAction[];
}) {
  if (run.error.code === 'CANCELLED') {
    return (
      <Alert
        color="gray"
        variant="light"
        p="xs"
        withCloseButton
        onClose={onDismiss}
        closeButtonLabel="Dismiss"
        data-testid="optimize-cancelled"
      >
        <Text size="sm">Cancelled — no variant was stored. {run.error.message}</Text>
      </Alert>
    );
  }
  return (
    <Stack gap={6}>
      <ErrorAlert
        title={failureTitle(run.error)}
        error={run.error}
        onClose={onDismiss}
        testId="optimize-error"
      />
      {fixes.length > 0 && (
        <Group gap="xs">
          {fixes.map((fix) => (
            <Button key={fix.label} size="xs" variant="light" onClick={fix.run} data-testid="optimize-fix">
              {fix.label}
            </Button>
          ))}
        </Group>
      )}
    </Stack>
  );
}

const titles: Partial<Record<AppError['code'], string>> = {
  CALIBRATION_REQUIRED: 'Calibration data needed',
  OPSET_TOO_OLD: 'The model’s opset is too old for this',
  NOTHING_TO_QUANTIZE: 'Nothing to quantize',
  ALREADY_QUANTIZED: 'This model is already quantized',
  DATA_SHAPE_MISMATCH: 'The data does not fit the model’s input',
  DATA_INVALID: 'The data cannot be read',
  DATA_EMPTY: 'No samples in the data',
  NAME_TAKEN: 'That name is taken',
  NOT_FOUND: 'Something is no longer available',
  STUDENT_MISMATCH: 'The student does not match the teacher',
  TRAIN_UNSUPPORTED_OP: 'The training engine cannot train this model',
  TRAINING_DIVERGED: 'Training diverged',
};

function failureTitle(error: AppError): string {
  return titles[error.code] ?? 'Optimization failed';
}
