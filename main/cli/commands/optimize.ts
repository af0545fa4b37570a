import type { Command } from 'commander';
import { Option } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { ImportResult } from '../../../shared/schemas/models';
import {
  imagePreprocessSchema,
  methodOptionsSchema,
  type AutoReport,
  type DataSpec,
  type MethodOptions,
} from '../../../shared/schemas/optimize';
import { DEFAULT_GOAL, GOAL_GRAMMAR, parseGoal } from '../../core/optimize/search/goal';
import { runCommand, type CliIo, type GlobalOptions } from '../cli-context';
import { describeNoiseBudget } from '../../../shared/noise-budget';
import { formatBytes, table } from '../format';
import { progressLine } from '../progress-line';
import { addPruneOptions, pruneConfig, pruneReportLines, type PruneFlags } from './optimize-prune';

type Globals = () => GlobalOptions;
type Exit = (code: number) => void;

type OptimizeFlags = {
  method: MethodOptions['method'];
  calibration?: string;
  eval?: string;
  calibrator?: string;
  percentile?: string;
  perChannel?: boolean;
  perTensor?: boolean;
  symmetricActivations?: boolean;
  includeConv?: boolean;
  keepIoTypes?: boolean;
  exclude?: string;
  name?: string;
  randomSamples: string;
  imageSize?: string;
  imageLayout?: string;
  imageScale?: string;
  imageMean?: string;
  imageStd?: string;
  bgr?: boolean;
  goal?: string;
  target?: string;
  budgetMinutes?: string;
  forceFloat?: string;
  forceInt8?: string;
  student?: string;
  data?: string;
  epochs?: string;
  temperature?: string;
  alpha?: string;
  learningRate?: string;
  batchSize?: string;
  checksPerEpoch?: string;
} & PruneFlags;

const imageExtensions = new Set(['.png', '.jpg', '.jpeg']);

export function registerOptimizeCommand(program: Command, globals: Globals, io: CliIo, exit: Exit): void {
  addPruneOptions(program.command('optimize'))
    .description(
      'make a smaller/faster variant of a model (auto search, INT8 dynamic/static, FP16, pruning, distillation, INT8 QAT) with a fidelity report',
    )
    .argument('<model>', 'id or name of the model to optimize')
    .addOption(
      new Option('--method <method>', 'optimization method')
        .choices([
          'auto',
          'int8-dynamic',
          'int8-static',
          'fp16',
          'prune-channels',
          'prune-weights',
          'distill',
          'qat',
        ])
        .makeOptionMandatory(),
    )
    .option('--calibration <path|random>', 'calibration data: .npy folder/file, image folder, or "random"')
    .option('--eval <path|random>', 'evaluation data (default: held out from the calibration data)')
    .addOption(
      new Option('--calibrator <name>', 'static INT8 range calibrator').choices([
        'minmax',
        'percentile',
        'entropy',
      ]),
    )
    .option('--percentile <p>', 'percentile for --calibrator percentile (default 99.999)')
    .option(
      '--per-channel',
      'one weight scale per output channel (static: the default when the opset allows it; this insists)',
    )
    .option('--per-tensor', 'static INT8: one weight scale per tensor (per-channel is the default)')
    .option('--symmetric-activations', 'static INT8: int8 symmetric activations instead of uint8')
    .option('--include-conv', 'dynamic INT8: quantize Conv too (slow in ONNX Runtime)')
    .option('--no-keep-io-types', 'fp16: make graph inputs/outputs float16 too')
    .option('--exclude <list>', 'op types or node names to leave in float, comma-separated')
    .option('--name <name>', 'name of the new variant (default: <model>-<method>)')
    .option('--random-samples <n>', 'how many samples "random" data has', '32')
    .option('--image-size <HxW>', 'images: resize to H×W (default: the model input size)')
    .addOption(new Option('--image-layout <layout>', 'images: tensor layout').choices(['NCHW', 'NHWC']))
    .option('--image-scale <s>', 'images: pixel scale before mean/std (default 1/255)')
    .option('--image-mean <m,m,m>', 'images: per-channel mean (default 0,0,0)')
    .option('--image-std <s,s,s>', 'images: per-channel std (default 1,1,1)')
    .option('--bgr', 'images: BGR channel order')
    .option('--goal <expr>', `auto: what the variant must keep (default ${DEFAULT_GOAL}); ${GOAL_GRAMMAR}`)
    .option(
      '--target <profile|this-machine>',
      'auto: where speed counts: this-machine (measured, default) or a profile id (estimated)',
    )
    .option(
      '--budget-minutes <n>',
      'auto: stop searching after this long, keeping the best so far (default 10)',
    )
    .option('--force-float <nodes>', 'auto: node names that stay float, comma-separated')
    .option('--force-int8 <nodes>', 'auto: node names that stay int8, comma-separated')
    .option(
      '--student <model|width:F|self>',
      'distill: student .onnx file, model:<id|name> (an imported model), width:F (narrower copy), or self',
    )
    .option(
      '--data <path|random>',
      'distill/qat (and prune-channels --fine-tune): training data (.npy folder/file or images; labels optional)',
    )
    .option(
      '--epochs <n>',
      'distill/qat: passes over the data (default 5; qat 3); prune-channels --fine-tune: 3',
    )
    .option('--temperature <t>', 'distill/qat: softmax temperature of the KL term (default 4; qat 1)')
    .option(
      '--alpha <a>',
      'distill/qat: weight of the KL term; 1 - alpha goes to labels (default 0.5; qat 1)',
    )
    .option('--learning-rate <lr>', 'distill/qat: Adam learning rate (default 0.001; qat 0.0001)')
    .option('--batch-size <n>', 'distill/qat: samples per step (default 32)')
    .option(
      '--checks-per-epoch <n>',
      'distill/qat: held-out checks per epoch, the best one kept (default 1; qat 8)',
    )
    .action(async (model: string, flags: OptimizeFlags) => {
      exit(
        await runCommand(
          globals(),
          io,
          async (ctx) => {
            const request = {
              model,
              name: flags.name,
              options: methodOptions(flags),
              calibration:
                (flags.calibration ?? flags.data) === undefined
                  ? undefined
                  : dataSpec((flags.calibration ?? flags.data)!, flags),
              evaluation: flags.eval === undefined ? undefined : dataSpec(flags.eval, flags),
            };
            const bar = progressLine(io, ctx.json, 'optimize');
            try {
              return await ctx.services().optimize.optimize(request, { onProgress: bar.update });
            } finally {
              bar.end();
            }
          },
          reportText,
        ),
      );
    });
}

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function methodOptions(flags: OptimizeFlags): MethodOptions {
  const exclude = list(flags.exclude);
  const config: Record<string, unknown> = {};
  if (exclude) config.exclude = exclude;
  if (flags.method === 'prune-channels' || flags.method === 'prune-weights') {
    Object.assign(config, pruneConfig(flags.method, flags));
  } else if (flags.method === 'auto') {
    if (exclude) throw new AppError('USAGE', '--exclude does not apply to --method auto: use --force-float.');
    delete config.exclude;
    if (flags.goal !== undefined) config.goal = parseGoal(flags.goal).text;
    if (flags.target !== undefined) config.target = flags.target;
    if (flags.budgetMinutes !== undefined) {
      const minutes = Number(flags.budgetMinutes);
      if (!(minutes > 0)) throw new AppError('USAGE', '--budget-minutes takes a number of minutes > 0.');
      config.budgetMinutes = minutes;
    }
    if (flags.calibrator) config.calibrator = flags.calibrator;
    if (flags.forceFloat !== undefined) config.forceFloat = list(flags.forceFloat);
    if (flags.forceInt8 !== undefined) config.forceInt8 = list(flags.forceInt8);
  } else if (flags.method === 'int8-dynamic') {
    if (flags.perChannel) config.perChannel = true;
    if (flags.includeConv) config.includeConv = true;
  } else if (flags.method === 'int8-static' || flags.method === 'qat') {
    if (flags.calibrator) config.calibrator = flags.calibrator;
    if (flags.percentile !== undefined) config.percentile = Number(flags.percentile);
    if (flags.perChannel) config.perChannel = true;
    if (flags.perTensor) config.perChannel = false;
    if (flags.symmetricActivations) config.symmetricActivations = true;
  }
  if (flags.method === 'distill' && flags.student !== undefined) config.student = flags.student;
  if (flags.method === 'distill' || flags.method === 'qat') {
    const num = (v: string | undefined, key: string) => v !== undefined && (config[key] = Number(v));
    num(flags.epochs, 'epochs');
    num(flags.temperature, 'temperature');
    num(flags.alpha, 'alpha');
    num(flags.learningRate, 'learningRate');
    num(flags.batchSize, 'batchSize');
    num(flags.checksPerEpoch, 'checksPerEpoch');
  } else if (flags.method === 'fp16' && flags.keepIoTypes === false) {
    config.keepIoTypes = false;
  }
  const notAuto = flags.method !== 'auto';
  const misplaced = [
    notAuto && flags.goal !== undefined && '--goal',
    notAuto && flags.target !== undefined && '--target',
    notAuto && flags.budgetMinutes !== undefined && '--budget-minutes',
    notAuto && flags.forceFloat !== undefined && '--force-float',
    notAuto && flags.forceInt8 !== undefined && '--force-int8',
    flags.method !== 'int8-static' && flags.method !== 'qat' && notAuto && flags.calibrator && '--calibrator',
    flags.method !== 'int8-static' &&
      flags.method !== 'qat' &&
      flags.symmetricActivations &&
      '--symmetric-activations',
    flags.method !== 'int8-dynamic' && flags.includeConv && '--include-conv',
    (flags.method === 'fp16' || flags.method === 'auto' || flags.method === 'distill') &&
      flags.perChannel &&
      '--per-channel',
    flags.method !== 'int8-static' && flags.perTensor && '--per-tensor',
    flags.perChannel && flags.perTensor && '--per-channel with --per-tensor',
    flags.method === 'distill' && flags.exclude && '--exclude',
    flags.method !== 'distill' && flags.student && '--student',
    // --data also belongs to prune-channels (--fine-tune), which answers for itself.
    !['distill', 'qat', 'prune-channels'].includes(flags.method) && flags.data && '--data',
    ...(flags.method === 'distill' || flags.method === 'qat'
      ? []
      : [
          // prune-channels takes --epochs with --fine-tune (its own check).
          flags.method !== 'prune-channels' && flags.epochs && '--epochs',
          flags.temperature && '--temperature',
          flags.alpha && '--alpha',
          flags.learningRate && '--learning-rate',
          flags.batchSize && '--batch-size',
          flags.checksPerEpoch && '--checks-per-epoch',
        ]),
  ].filter(Boolean);
  if (misplaced.length > 0) {
    throw new AppError('USAGE', `${misplaced.join(', ')} does not apply to --method ${flags.method}.`);
  }
  const parsed = methodOptionsSchema.safeParse({ method: flags.method, config });
  if (!parsed.success) {
    throw new AppError('USAGE', `Invalid options: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

/** A path becomes .npy data, or image data when it holds images (then the --image-* flags apply). */
function dataSpec(value: string, flags: OptimizeFlags): DataSpec {
  if (value === 'random') {
    const count = Number(flags.randomSamples);
    if (!Number.isInteger(count) || count < 1)
      throw new AppError('USAGE', '--random-samples takes a whole number ≥ 1.');
    return { kind: 'random', count, seed: 1 };
  }
  if (!looksLikeImages(value)) return { kind: 'npy', path: value };
  const numbers = (s: string | undefined) => s?.split(',').map(Number);
  const size = flags.imageSize?.toLowerCase().split('x').map(Number);
  const parsed = imagePreprocessSchema.safeParse({
    resize: size,
    layout: flags.imageLayout,
    channelOrder: flags.bgr ? 'BGR' : undefined,
    scale: flags.imageScale === undefined ? undefined : Number(flags.imageScale),
    mean: numbers(flags.imageMean),
    std: numbers(flags.imageStd),
  });
  if (!parsed.success) {
    throw new AppError(
      'USAGE',
      `Invalid image options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { kind: 'images', path: value, preprocess: parsed.data };
}

function looksLikeImages(path: string): boolean {
  try {
    const info = statSync(path);
    const names = info.isDirectory() ? readdirSync(path) : [path];
    return (
      names.some((n) => imageExtensions.has(extname(n).toLowerCase())) &&
      !names.some((n) => n.endsWith('.npy'))
    );
  } catch {
    return false; // the data loader reports a missing path with its own clear error
  }
}

function reportText(result: ImportResult): string {
  const { model } = result;
  const report = model.report;
  const head = `${result.existed ? 'Same bytes as an existing model' : 'Created variant'}: ${model.name} (${model.id})\n`;
  if (!report) return head;
  if (report.auto) return `${autoReportText(report.auto)}\n\nStored first: ${model.name} (${model.id})\n`;
  const f = report.fidelity;
  const lines = [
    head,
    `  method     ${model.method}  (${
      Object.entries(report.pass.converted)
        .map(([op, n]) => `${n} ${op}`)
        .join(', ') || 'nothing converted'
    })`,
    `  size       ${formatBytes(f.sizeBytes.parent)} → ${formatBytes(f.sizeBytes.variant)}  (${f.sizeBytes.ratio.toFixed(3)}×)`,
    `  latency    ${f.latencyMs.parent.toFixed(3)} ms → ${f.latencyMs.variant.toFixed(3)} ms  (${f.latencyMs.ratio.toFixed(3)}×, median of ${f.latencyMs.runs})`,
    `  fidelity   on ${f.samples} ${f.source} sample(s)`,
    f.accuracy
      ? `  accuracy   ${(f.accuracy.parent * 100).toFixed(2)}% → ${(f.accuracy.variant * 100).toFixed(2)}% (${f.accuracy.samples} labelled)`
      : '',
    '',
    table(
      ['OUTPUT', 'SQNR dB', 'COSINE', 'MAX ABS ERR', 'MEAN ABS ERR', 'TOP-1 AGREE'],
      f.outputs.map((o) => [
        o.name,
        o.sqnrDb === null ? '-' : o.sqnrDb.toFixed(1),
        o.cosine === null ? '-' : o.cosine.toFixed(6),
        o.maxAbsError.toExponential(2),
        o.meanAbsError.toExponential(2),
        o.top1Agreement === null ? '-' : `${(o.top1Agreement * 100).toFixed(1)}%`,
      ]),
    ),
  ];
  if (f.tensors.length > 0) {
    lines.push(
      'Layers that lose most (exclude them with --exclude; ROUNDING = the error made there alone):',
      table(
        ['TENSOR', 'PRODUCER', 'SQNR dB', 'ROUNDING dB'],
        f.tensors
          .slice(0, 10)
          .map((t) => [t.name, t.producer, num(t.sqnrDb, 1), num(t.roundingSqnrDb ?? null, 1)]),
      ),
    );
  }
  if (f.noiseBudget) lines.push(describeNoiseBudget(f.noiseBudget), '');
  if (report.pass.pruning) lines.push(...pruneReportLines(report.pass.pruning));
  const warnings = [...report.pass.warnings, ...f.warnings];
  if (warnings.length > 0) lines.push('Warnings:', ...warnings.map((w) => `  - ${w}`), '');
  return lines.filter((l, i) => l !== '' || i > 0).join('\n');
}

const num = (x: number | null, digits: number, suffix = '') =>
  x === null ? '-' : `${x.toFixed(digits)}${suffix}`;

function autoReportText(r: AutoReport): string {
  const nodes = [...r.nodes].sort(
    (a, b) => (a.sensitivitySqnrDb ?? Infinity) - (b.sensitivitySqnrDb ?? Infinity),
  );
  const floats = r.nodes.filter((n) => n.decision === 'float').length;
  return [
    r.verdict,
    '',
    `Candidates (goal ${r.goal}; ✓ = meets it, * = Pareto front, R = recommended):`,
    table(
      ['ID', 'KIND', 'LATENCY', 'SIZE', 'COSINE', 'SQNR dB', 'TOP-1', '', 'STORED AS', 'HOW'],
      r.candidates.map((c) => [
        c.id,
        c.kind,
        num(c.latencyRatio, 3, '×'),
        num(c.sizeRatio, 3, '×'),
        num(c.cosine, 5),
        num(c.sqnrDb, 1),
        c.top1 === null ? '-' : `${(c.top1 * 100).toFixed(1)}%`,
        `${c.meetsGoal ? '✓' : ' '}${c.pareto ? '*' : ' '}${c.recommended ? 'R' : ' '}`,
        c.savedAs ?? '',
        c.description,
      ]),
    ),
    `Nodes: ${r.nodes.length} quantizable, ${floats} float in the stored variant. Most sensitive first:`,
    table(
      ['NODE', 'OP', 'ALONE SQNR dB', 'FLOAT µs', 'INT8 µs', 'DECISION'],
      nodes
        .slice(0, 12)
        .map((n) => [
          n.node,
          n.opType,
          num(n.sensitivitySqnrDb, 1),
          num(n.floatUs, 0),
          num(n.int8Us, 0),
          n.reason,
        ]),
    ),
    `Re-run with overrides: --force-float NODE,… / --force-int8 NODE,…  (the full table: --json)`,
    `Measured on ${r.measuredOn}`,
    `Search ${(r.searchMs / 1000).toFixed(1)} s, peak memory ${r.peakRssMb} MB${r.stoppedEarly ? `, stopped early (${r.stoppedEarly})` : ''}.`,
    ...(r.notes.length > 0 ? ['Notes:', ...r.notes.map((n) => `  - ${n}`)] : []),
  ].join('\n');
}
