import type { ModelLineage } from '../../../shared/schemas/lineage';
import type { Model } from '../../../shared/schemas/models';
import { modelLineage } from '../../core/lineage';
import type { Services } from '../../core/services';
import { table } from '../format';

/** `models show` with the lineage both ways: what it was made from (parent, method) and where it went. */
type ShownModel = Model & {
  lineage: ModelLineage & { parent: { id: string; name: string } | null };
};

export function showModel(services: Services, ref: string): ShownModel {
  const model = services.models.get(ref);
  const parent =
    model.parentId === null ? null : (services.models.list().find((m) => m.id === model.parentId) ?? null);
  return {
    ...model,
    lineage: {
      ...modelLineage(services, model.id),
      parent: parent === null ? null : { id: parent.id, name: parent.name },
    },
  };
}

const ms = (v: number | null) => (v === null ? '-' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`);

export function lineageText(shown: ShownModel): string {
  const { lineage } = shown;
  const lines = ['Lineage'];
  lines.push(
    lineage.parent === null
      ? '  made from  (imported)'
      : `  made from  ${lineage.parent.name} (${lineage.parent.id}) by ${shown.method ?? '?'}`,
  );
  lines.push('Benchmarks');
  if (lineage.benchmarks.length === 0) lines.push('  none yet (edgefleet bench run --model …)');
  else
    lines.push(
      table(
        ['TARGET', 'SOURCE', 'RUNTIME', 'LATENCY', 'WHEN'],
        lineage.benchmarks.map((b) => [
          b.targetLabel,
          b.source,
          b.runtime,
          ms(b.latencyMs),
          b.createdAt.replace('T', ' ').slice(0, 19),
        ]),
      )
        .trimEnd()
        .replace(/^/gm, '  '),
    );
  lines.push('Running on');
  if (lineage.runningOn.length === 0) lines.push('  no device (as recorded)');
  else
    lines.push(
      table(
        ['DEVICE', 'RELEASE', 'SINCE'],
        lineage.runningOn.map((d) => [d.deviceName, d.release, d.since.replace('T', ' ').slice(0, 19)]),
      )
        .trimEnd()
        .replace(/^/gm, '  '),
    );
  return `${lines.join('\n')}\n`;
}
