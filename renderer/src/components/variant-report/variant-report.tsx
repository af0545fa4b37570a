import { SimpleGrid, Text } from '@mantine/core';
import type { VariantReport as Report } from '../../../../shared/schemas/optimize';
import { SectionCard } from '../section-card';
import { FidelityCards } from './fidelity-cards';
import { LayerErrorTable } from './layer-error-table';
import { OutputTable } from './output-table';
import { PassSummary } from './pass-summary';
import { PruningReport } from './pruning-report';
import { sourceLabel } from './report-grades';
import { ReportWarnings } from './report-warnings';
import { TrainingReport } from './training-report';

type VariantReportProps = {
  report: Report;
  /** Enables picking layers and "exclude these and re-run" (the Optimize page). */
  onExclude?: (exclude: string[]) => void;
  alreadyExcluded?: readonly string[];
  busy?: boolean;
  /** The variant's recorded recipe: a trained variant shows its hyper-parameters. */
  recipe?: unknown;
};

/**
 * A variant's report against its parent: headline cards, caveats, per-output and per-layer error, and what
 * the pass converted. The same view on the Optimize page (fresh result) and on a variant's detail page.
 */
export function VariantReport({ report, onExclude, alreadyExcluded, busy, recipe }: VariantReportProps) {
  const { fidelity, pass } = report;
  return (
    <>
      <FidelityCards fidelity={fidelity} method={pass.method} />
      <Text size="xs" c="dimmed" data-testid="fidelity-source">
        Measured on {fidelity.samples} {fidelity.samples === 1 ? 'sample' : 'samples'} of{' '}
        {sourceLabel[fidelity.source]}.
      </Text>
      <ReportWarnings warnings={[...pass.warnings, ...fidelity.warnings]} />
      {pass.training && <TrainingReport training={pass.training} fidelity={fidelity} recipe={recipe} />}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <SectionCard title="Per-layer error (worst first)" testId="layer-card">
          <LayerErrorTable
            tensors={fidelity.tensors}
            noiseBudget={fidelity.noiseBudget}
            onExclude={onExclude}
            alreadyExcluded={alreadyExcluded}
            busy={busy}
          />
        </SectionCard>
        <SectionCard title="What the pass did" testId="pass-card">
          <PassSummary pass={pass} />
        </SectionCard>
      </SimpleGrid>
      <SectionCard title="Error per output" testId="output-card">
        <OutputTable outputs={fidelity.outputs} />
      </SectionCard>
      {pass.pruning && <PruningReport pruning={pass.pruning} />}
    </>
  );
}
