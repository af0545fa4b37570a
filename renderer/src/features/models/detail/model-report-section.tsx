import { Stack, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useNavigate } from 'react-router';
import { autoConfigSchema } from '../../../../../shared/schemas/optimize';
import type { Model } from '../../../../../shared/schemas/models';
import { useCall } from '../../../api/queries';
import type { Overrides } from '../../../components/auto-report/auto-report-model';
import { AutoReportView } from '../../../components/auto-report/auto-report-view';
import { VariantReport } from '../../../components/variant-report/variant-report';
import {
  optimizePath,
  presetFromRecipe,
  randomCalibrationFromRecipe,
  type OptimizePreset,
} from '../../optimize/optimize-link';

/**
 * A variant's report against its parent; for a variant of an auto search, the whole search first. Its
 * re-run opens the Optimize page on the parent with the search's options and the picked overrides, since
 * the data the search used is not kept here.
 */
export function ModelReportSection({ model }: { model: Model & { report: NonNullable<Model['report']> } }) {
  const navigate = useNavigate();
  const models = useCall('models.list', {});
  const names = useMemo(() => new Map((models.data ?? []).map((m) => [m.id, m.name])), [models.data]);
  const auto = model.report.auto;
  const recipe = presetFromRecipe(model);
  const base = recipe?.method === 'auto' ? recipe.config : autoConfigSchema.parse({ goal: auto?.goal });

  const rerun = (overrides: Overrides) => {
    if (!model.parentId) return;
    const preset: OptimizePreset = { method: 'auto', config: { ...base, ...overrides } };
    void navigate(optimizePath(model.parentId), {
      state: { preset, calibration: randomCalibrationFromRecipe(model) },
    });
  };

  return (
    <Stack gap="xs" component="section" aria-label="Report against the parent" data-testid="model-report">
      {auto && (
        <>
          <Title order={2} size="h4">
            Auto search
          </Title>
          <AutoReportView
            report={auto}
            currentModelId={model.id}
            modelNames={names}
            onRerun={model.parentId ? rerun : undefined}
            baseOverrides={{ forceFloat: base.forceFloat, forceInt8: base.forceInt8 }}
            rerunLabel="Set up a re-run with these overrides…"
          />
        </>
      )}
      <Title order={2} size="h4">
        Report against the parent
      </Title>
      <VariantReport report={model.report} recipe={model.recipe} />
    </Stack>
  );
}
