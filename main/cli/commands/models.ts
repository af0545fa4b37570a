import type { Command } from 'commander';
import type { Model } from '../../../shared/schemas/models';
import { runCommand, type CliIo, type GlobalOptions } from '../cli-context';
import { formatBytes, formatCount, formatShape, table } from '../format';
import { progressLine } from '../progress-line';
import { lineageText, showModel } from './model-lineage';

type Globals = () => GlobalOptions;
type Exit = (code: number) => void;

export function registerModelCommands(program: Command, globals: Globals, io: CliIo, exit: Exit): void {
  const models = program.command('models').description('the model library: import, list, inspect, remove');

  models
    .command('import')
    .description('validate an ONNX model and add it to the library (same bytes twice → the existing model)')
    .argument('<file>', 'path to a .onnx file (external data is read from beside it)')
    .option('--name <name>', 'name in the library (default: the file name)')
    .action(async (file: string, opts: { name?: string }) => {
      const g = globals();
      exit(
        await runCommand(
          g,
          io,
          async (ctx) => {
            const bar = progressLine(io, ctx.json, 'import');
            try {
              return await ctx
                .services()
                .models.importFile(file, { name: opts.name, onProgress: bar.update });
            } finally {
              bar.end();
            }
          },
          (r) =>
            `${r.existed ? 'Already in the library' : 'Imported'}: ${r.model.name} (${r.model.id})\n` +
            (r.warnings ?? []).map((w) => `Warning: ${w}\n`).join('') +
            describe(r.model),
        ),
      );
    });

  models
    .command('list')
    .description('list models and their variants')
    .action(async () => {
      exit(await runCommand(globals(), io, async (ctx) => ctx.services().models.list(), listText));
    });

  models
    .command('show')
    .description(
      'show a model: inputs, outputs, operators, parameters, MACs, and its lineage (parent, benchmarks, devices running it)',
    )
    .argument('<model>', 'id or name')
    .action(async (ref: string) => {
      exit(
        await runCommand(
          globals(),
          io,
          async (ctx) => showModel(ctx.services(), ref),
          (shown) => `${describe(shown)}${lineageText(shown)}`,
        ),
      );
    });

  models
    .command('rm')
    .description('remove a model (and its file when nothing else uses it)')
    .argument('<model>', 'id or name')
    .action(async (ref: string) => {
      exit(
        await runCommand(
          globals(),
          io,
          async (ctx) => ctx.services().models.remove(ref),
          (r) => `Removed ${r.id}${r.fileDeleted ? ' and its file' : ''}\n`,
        ),
      );
    });
}

function opsetOf(m: Model): string {
  const v = m.summary.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  return v === undefined ? '-' : String(v);
}

function listText(models: Model[]): string {
  if (models.length === 0) return 'No models yet. Import one with: edgefleet models import <file.onnx>\n';
  const byParent = new Map<string | null, Model[]>();
  for (const m of models) byParent.set(m.parentId, [...(byParent.get(m.parentId) ?? []), m]);
  const rows: string[][] = [];
  const ids = new Set(models.map((m) => m.id));
  const walk = (m: Model, depth: number) => {
    rows.push([
      `${'  '.repeat(depth)}${depth > 0 ? '└ ' : ''}${m.name}`,
      m.id,
      formatBytes(m.sizeBytes),
      opsetOf(m),
      formatCount(m.summary.parameterCount),
      m.method ?? '',
      m.importedAt.replace('T', ' ').slice(0, 19),
    ]);
    for (const child of byParent.get(m.id) ?? []) walk(child, depth + 1);
  };
  for (const m of models) if (m.parentId === null || !ids.has(m.parentId)) walk(m, 0);
  return table(['NAME', 'ID', 'SIZE', 'OPSET', 'PARAMS', 'METHOD', 'IMPORTED'], rows);
}

function describe(m: Model): string {
  const s = m.summary;
  const lines = [
    `${m.name}  (${m.id})`,
    `  file       ${m.sourceFileName}, ${formatBytes(m.sizeBytes)}, sha256 ${m.sha256}`,
    `  producer   ${s.producer.name || '-'} ${s.producer.version}`.trimEnd(),
    `  ir         ${s.irVersion}; opsets ${s.opsets.map((o) => `${o.domain || 'ai.onnx'}:${o.version}`).join(', ')}`,
    `  params     ${formatCount(s.parameterCount)} (${formatBytes(s.weightBytes)}: ${s.weightBytesByDtype.map((w) => `${w.dtype} ${formatBytes(w.bytes)}`).join(', ') || 'none'})`,
    `  MACs       ${formatCount(s.macs)}${s.macsUnknownNodes > 0 ? ` (+${s.macsUnknownNodes} node(s) of unknown shape)` : ''}`,
    `  nodes      ${s.nodeCount}`,
    '',
    'Inputs',
    ...s.inputs.map((t) => `  ${t.name}  ${t.elemType}  ${formatShape(t.shape)}`),
    'Outputs',
    ...s.outputs.map((t) => `  ${t.name}  ${t.elemType}  ${formatShape(t.shape)}`),
    'Operators',
    ...s.opHistogram.map(
      (o) => `  ${String(o.count).padStart(5)}  ${o.domain ? `${o.domain}.` : ''}${o.opType}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
