/**
 * The pruning part of `edgefleet optimize`: its flags, their mapping to the pass configs, and the per-layer
 * report. Kept apart from optimize.ts so the quantization command stays as it was.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { AppError } from '../../../shared/errors';
import type { PruningReport } from '../../../shared/schemas/prune';
import { formatBytes, table } from '../format';

export type PruneFlags = {
  ratio?: string;
  targetMacs?: string;
  importance?: string;
  sensitivity?: boolean;
  latencyAware?: boolean;
  fineTune?: boolean;
  epochs?: string;
  data?: string;
  sparsity?: string;
  global?: boolean;
  perLayer?: boolean;
  includeFirstLast?: boolean;
};

export function addPruneOptions(command: Command): Command {
  return command
    .option(
      '--ratio <r>',
      'prune-channels: share of the channels of every prunable group to remove, 0 < r < 1',
    )
    .option('--target-macs <f>', 'prune-channels: share of the MACs to keep, 0 < f < 1 (instead of --ratio)')
    .addOption(
      new Option('--importance <kind>', 'prune-channels: how channels are ranked (default l1)').choices([
        'l1',
        'l2',
        'bn-gamma',
      ]),
    )
    .option(
      '--sensitivity',
      'prune-channels: scan each group alone first; sensitive groups lose fewer channels',
    )
    .option(
      '--latency-aware',
      'prune-channels: time channel counts on this machine and remove them where they save the most time',
    )
    .option('--fine-tune', 'prune-channels: distil from the unpruned model afterwards, on --data')
    .option('--sparsity <s>', 'prune-weights: share of the weights to zero, 0 < s < 1')
    .option('--global', 'prune-weights: one magnitude threshold over all layers (default)')
    .option('--per-layer', 'prune-weights: every layer reaches the sparsity')
    .option('--include-first-last', 'prune-weights: prune the first and last layers too');
}

const number = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new AppError('USAGE', `${flag} takes a number, not '${v}'.`);
  return n;
};

/** The pass config from the flags; flags of the other pruning method (or of quantization) are refused. */
export function pruneConfig(
  method: 'prune-channels' | 'prune-weights',
  flags: PruneFlags,
): Record<string, unknown> {
  const channelFlags = [
    flags.ratio !== undefined && '--ratio',
    flags.targetMacs !== undefined && '--target-macs',
    flags.importance && '--importance',
    flags.sensitivity && '--sensitivity',
    flags.latencyAware && '--latency-aware',
    flags.fineTune && '--fine-tune',
    flags.data !== undefined && '--data',
  ].filter((f): f is string => typeof f === 'string');
  const weightFlags = [
    flags.sparsity !== undefined && '--sparsity',
    flags.global && '--global',
    flags.perLayer && '--per-layer',
    flags.includeFirstLast && '--include-first-last',
  ].filter((f): f is string => typeof f === 'string');
  const misplaced = method === 'prune-channels' ? weightFlags : channelFlags;
  if (misplaced.length > 0) {
    throw new AppError('USAGE', `${misplaced.join(', ')} does not apply to --method ${method}.`);
  }
  if (method === 'prune-weights') {
    if (flags.sparsity === undefined)
      throw new AppError('USAGE', '--method prune-weights needs --sparsity S (0 < S < 1).');
    if (flags.global && flags.perLayer)
      throw new AppError('USAGE', 'Give --global or --per-layer, not both.');
    return {
      sparsity: number('--sparsity', flags.sparsity),
      scope: flags.perLayer ? 'per-layer' : 'global',
      skipFirstLast: !flags.includeFirstLast,
    };
  }
  if ((flags.ratio === undefined) === (flags.targetMacs === undefined)) {
    throw new AppError('USAGE', '--method prune-channels needs --ratio R or --target-macs F (one of them).');
  }
  if (flags.epochs !== undefined && !flags.fineTune) {
    throw new AppError('USAGE', '--epochs goes with --fine-tune for --method prune-channels.');
  }
  if (flags.fineTune && flags.data === undefined) {
    throw new AppError('USAGE', '--fine-tune needs --data PATH (the samples the unpruned model teaches on).');
  }
  if (!flags.fineTune && flags.data !== undefined) {
    throw new AppError('USAGE', '--data goes with --fine-tune (bias compensation takes --calibration).');
  }
  const config: Record<string, unknown> = {};
  if (flags.ratio !== undefined) config.ratio = number('--ratio', flags.ratio);
  if (flags.targetMacs !== undefined) config.targetMacs = number('--target-macs', flags.targetMacs);
  if (flags.importance) config.importance = flags.importance;
  if (flags.sensitivity) config.sensitivity = true;
  if (flags.latencyAware) {
    if (flags.ratio === undefined) throw new AppError('USAGE', '--latency-aware goes with --ratio R.');
    config.latencyAware = true;
  }
  if (flags.fineTune) config.fineTune = true;
  if (flags.epochs !== undefined) config.fineTuneEpochs = number('--epochs', flags.epochs);
  return config;
}

const pct = (a: number, b: number) => (b === 0 ? '-' : `${((a / b) * 100).toFixed(1)}%`);
const millions = (n: number | null) => (n === null ? '-' : (n / 1e6).toFixed(2));

export function pruneReportLines(p: PruningReport): string[] {
  if (p.kind === 'channels') {
    const t = p.totals;
    const changed = p.layers.filter(
      (l) => l.channelsAfter !== l.channelsBefore || l.inputsAfter !== l.inputsBefore,
    );
    const lines = [
      '',
      `Channel pruning (${p.importance}, ratio ${p.ratio.toFixed(3)}): ${p.groups.length} group(s) pruned, ` +
        `${p.blocked.length} kept whole`,
      `  MACs       ${millions(t.macsBefore)} M → ${millions(t.macsAfter)} M  (${pct(t.macsAfter, t.macsBefore)})`,
      `  params     ${t.paramsBefore} → ${t.paramsAfter}  (${pct(t.paramsAfter, t.paramsBefore)})`,
      '',
      table(
        ['LAYER', 'OP', 'OUT CH', 'IN CH', 'MACs (M)', 'PARAMS'],
        changed.map((l) => [
          l.node,
          l.opType,
          `${l.channelsBefore} → ${l.channelsAfter}`,
          `${l.inputsBefore} → ${l.inputsAfter}`,
          `${millions(l.macsBefore)} → ${millions(l.macsAfter)}`,
          `${l.paramsBefore} → ${l.paramsAfter}`,
        ]),
      ),
    ];
    if (p.groups.some((g) => g.sensitivityDb !== null)) {
      lines.push(
        'Sensitivity (output SQNR with the group pruned alone; lower = more sensitive):',
        table(
          ['GROUP', 'CHANNELS', 'SQNR dB'],
          p.groups.map((g) => [
            g.producers.slice(0, 3).join(', ') + (g.producers.length > 3 ? ', …' : ''),
            `${g.channelsBefore} → ${g.channelsAfter}`,
            g.sensitivityDb === null ? '-' : g.sensitivityDb.toFixed(1),
          ]),
        ),
      );
    }
    if (p.latency) {
      const l = p.latency;
      lines.push(
        l.allocation === 'latency-aware'
          ? `Latency-aware: ${l.measurements} channel counts timed on this machine; this plan ran ` +
              `${(l.againstUniform * 100).toFixed(0)} % of the uniform plan's time (unpruned ${l.baseMs.toFixed(3)} ms).`
          : `Latency-aware: ${l.measurements} channel counts timed; no plan beat the uniform one by 3 % ` +
              `(${(l.againstUniform * 100).toFixed(0)} %), so the uniform ratio was kept.`,
        table(
          ['GROUP', 'CHANNELS', 'SAVED ms (alone)'],
          p.groups.map((g) => [
            g.producers.slice(0, 3).join(', ') + (g.producers.length > 3 ? ', …' : ''),
            `${g.channelsBefore} → ${g.channelsAfter}`,
            g.latencySavedMs === null ? '-' : g.latencySavedMs.toFixed(4),
          ]),
        ),
      );
    }
    if (p.blocked.length > 0) {
      lines.push(
        'Kept whole:',
        ...p.blocked.slice(0, 10).map((b) => `  - ${b.producers.join(', ')}: ${b.reasons.join('; ')}`),
      );
    }
    return lines;
  }
  const s = p.sizeBytes;
  const z = (v: number | null) => (v === null ? 'n/a' : formatBytes(v));
  return [
    '',
    `Weight pruning (${p.scope}, target ${(p.sparsity * 100).toFixed(0)}%): overall sparsity ${(p.overallSparsity * 100).toFixed(1)}%`,
    table(
      ['FILE', 'PLAIN', 'GZIP', 'ZSTD'],
      [
        ['dense', formatBytes(s.dense.plain), formatBytes(s.dense.gzip), z(s.dense.zstd)],
        ['pruned', formatBytes(s.pruned.plain), formatBytes(s.pruned.gzip), z(s.pruned.zstd)],
      ],
    ),
    '',
    table(
      ['LAYER', 'OP', 'PARAMS', 'SPARSITY'],
      p.layers.map((l) => [
        l.node,
        l.opType,
        String(l.params),
        l.skipped ? `skipped (${l.skipped})` : `${(l.sparsity * 100).toFixed(1)}%`,
      ]),
    ),
  ];
}
