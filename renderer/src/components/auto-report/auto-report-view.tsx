import { SimpleGrid } from '@mantine/core';
import type { AutoReport } from '../../../../shared/schemas/optimize';
import { SectionCard } from '../section-card';
import type { Overrides } from './auto-report-model';
import { AutoParetoChart } from './auto-pareto-chart';
import { AutoProvenance, AutoVerdict } from './auto-verdict';
import { CandidatesTable } from './candidates-table';
import { NodeTable } from './node-table';

type AutoReportViewProps = {
  report: AutoReport;
  /** The variant being shown (a row of the candidates table is marked "this variant"). */
  currentModelId?: string;
  modelNames?: ReadonlyMap<string, string>;
  /** Enables picking nodes and one-click re-run with forceFloat/forceInt8 (see NodeTable). */
  onRerun?: (overrides: Overrides) => void;
  baseOverrides?: Overrides;
  rerunLabel?: string;
  busy?: boolean;
};

/**
 * The whole auto search: the verdict first, then every candidate (table and chart), how it was measured, and
 * the per-node analysis behind the decisions. Same view on the Optimize page and on a variant's page.
 */
export function AutoReportView(props: AutoReportViewProps) {
  const { report } = props;
  return (
    <>
      <AutoVerdict report={report} />
      <SectionCard
        title={`Candidates (${report.candidates.length}), goal ${report.goal}`}
        testId="auto-candidates-card"
      >
        <CandidatesTable
          candidates={report.candidates}
          currentModelId={props.currentModelId}
          modelNames={props.modelNames}
        />
      </SectionCard>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="sm">
        <SectionCard title="Latency against size" testId="auto-chart-card">
          <AutoParetoChart candidates={report.candidates} />
        </SectionCard>
        <SectionCard title="How it was measured" testId="auto-provenance-card">
          <AutoProvenance report={report} />
        </SectionCard>
      </SimpleGrid>
      <SectionCard title={`Per-node analysis (${report.nodes.length} nodes)`} testId="auto-nodes-card">
        <NodeTable
          nodes={report.nodes}
          onRerun={props.onRerun}
          baseOverrides={props.baseOverrides}
          rerunLabel={props.rerunLabel}
          busy={props.busy}
        />
      </SectionCard>
    </>
  );
}
