import type { Model } from '../../../../shared/schemas/models';
import {
  formatCosine,
  formatDb,
  formatPercent,
  formatRatio,
  gradeAgreement,
  gradeCosine,
  gradeSizeRatio,
  gradeSqnr,
  summarizeOutputs,
  type Grade,
} from '../../components/variant-report/report-grades';

type FidelityFigure = { label: string; value: string; grade: Grade; help: string };

/**
 * The figures that decide whether a variant is fit to ship, from its optimizer report: size against its
 * parent, and the worst output's SQNR, cosine and top-1 agreement. Empty for an imported model (it is the
 * reference itself).
 */
export function fidelityFigures(model: Model): FidelityFigure[] {
  const report = model.report;
  if (report === null) return [];
  const f = report.fidelity;
  const worst = summarizeOutputs(f.outputs);
  const figures: FidelityFigure[] = [
    {
      label: 'size',
      value: formatRatio(f.sizeBytes.ratio),
      grade: gradeSizeRatio(f.sizeBytes.ratio),
      help: 'File size against the parent model.',
    },
  ];
  if (worst.sqnrDb !== null)
    figures.push({
      label: 'SQNR',
      value: formatDb(worst.sqnrDb),
      grade: gradeSqnr(worst.sqnrDb),
      help: 'Signal-to-noise of the worst output against the parent (≥ 25 dB is good).',
    });
  if (worst.cosine !== null)
    figures.push({
      label: 'cosine',
      value: formatCosine(worst.cosine),
      grade: gradeCosine(worst.cosine),
      help: 'Cosine similarity of the worst output against the parent (≥ 0.999 is good).',
    });
  if (worst.top1Agreement !== null)
    figures.push({
      label: 'top-1',
      value: formatPercent(worst.top1Agreement),
      grade: gradeAgreement(worst.top1Agreement),
      help: 'Share of samples whose top class agrees with the parent (≥ 99 % is good).',
    });
  return figures;
}

/** One short text for an option line: "38.2 dB", "cos 0.99998", "reference". */
export function fidelityShort(model: Model): string {
  if (model.report === null) return 'reference';
  const worst = summarizeOutputs(model.report.fidelity.outputs);
  if (worst.sqnrDb !== null) return formatDb(worst.sqnrDb);
  if (worst.cosine !== null) return `cos ${formatCosine(worst.cosine)}`;
  return 'no fidelity figures';
}
