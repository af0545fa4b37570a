import type { Command } from 'commander';
import type { HardwareProfile, ProfileImportResult } from '../../../shared/schemas/bench';
import { runCommand, type CliIo, type GlobalOptions } from '../cli-context';
import { table } from '../format';
import { progressLine } from '../progress-line';

type Globals = () => GlobalOptions;
type Exit = (code: number) => void;

export function registerProfileCommands(program: Command, globals: Globals, io: CliIo, exit: Exit): void {
  const profiles = program
    .command('profiles')
    .description('hardware profiles the benchmark estimates on: built-in, imported, and "this-machine"');

  profiles
    .command('list')
    .description('list built-in and imported profiles')
    .action(async () => {
      exit(await runCommand(globals(), io, async (ctx) => ctx.services().bench.listProfiles(), listText));
    });

  profiles
    .command('show')
    .description('show a profile with the source of every value ("this-machine" measures this computer)')
    .argument('<id>', 'profile id')
    .action(async (id: string) => {
      exit(
        await runCommand(
          globals(),
          io,
          async (ctx) => {
            const bar = progressLine(io, ctx.json, 'calibrating');
            try {
              return await ctx.services().bench.profile(id);
            } finally {
              bar.end();
            }
          },
          describe,
        ),
      );
    });

  profiles
    .command('import')
    .description(
      'import user profiles from a JSON or YAML file (one profile, a list, or { profiles: [...] })',
    )
    .argument('<file>', 'path to a .json, .yaml or .yml file')
    .action(async (file: string) => {
      exit(
        await runCommand(
          globals(),
          io,
          async (ctx) => ctx.services().bench.importProfiles(file),
          (r: ProfileImportResult) =>
            `Imported ${r.imported.length} profile(s) from ${r.file}:\n` +
            r.imported.map((p) => `  ${p.id} (${p.action})`).join('\n') +
            '\n',
        ),
      );
    });

  profiles
    .command('rm')
    .description('remove an imported profile')
    .argument('<id>', 'profile id')
    .action(async (id: string) => {
      exit(
        await runCommand(
          globals(),
          io,
          async (ctx) => ctx.services().bench.removeProfile(id),
          (r) => `Removed profile ${r.id}\n`,
        ),
      );
    });
}

const num = (x: number | undefined, digits = 1) => (x === undefined ? '-' : x.toFixed(digits));

function listText(list: HardwareProfile[]): string {
  const rows = list.map((p) => [
    p.id,
    p.name,
    p.arch,
    String(p.cores),
    num(p.clockGHz, 2),
    num(p.peakGflopsFp32),
    num(p.peakGopsInt8),
    num(p.memoryBandwidthGBs),
    num(p.ramGB),
    num(p.typicalPowerW),
    p.features.filter((f) => ['neon', 'dotprod', 'fp16', 'avx2', 'avx512f', 'vnni'].includes(f)).join(','),
    p.origin,
  ]);
  return (
    table(
      [
        'ID',
        'NAME',
        'ARCH',
        'CORES',
        'GHZ',
        'FP32 GFLOP/S',
        'INT8 GOP/S',
        'BW GB/S',
        'RAM GB',
        'W',
        'FEATURES',
        'ORIGIN',
      ],
      rows,
    ) + 'Peaks are theoretical; "edgefleet profiles show this-machine" measures this computer.\n'
  );
}

function describe(p: HardwareProfile): string {
  const src = (field: string) => (p.sources[field] ? `   [${p.sources[field]}]` : '');
  const lines = [
    `${p.name}  (${p.id}, ${p.origin})`,
    ...(p.description ? [`  ${p.description}`] : []),
    `  cpu          ${p.cpuModel}${src('cpuModel')}`,
    `  arch         ${p.arch}, ${p.cores} cores, ${p.clockGHz} GHz${src('clockGHz')}`,
    ...(p.clusters ?? []).map(
      (c) =>
        `  cluster      ${c.count}× ${c.core} @ ${c.clockGHz} GHz: ${c.fp32FlopsPerCycle} fp32 FLOP/cycle, ${c.int8OpsPerCycle} int8 ops/cycle`,
    ),
    `  features     ${p.features.join(', ') || '-'}${src('features')}`,
    `  fp32 peak    ${p.peakGflopsFp32PerThread} GFLOP/s per thread, ${p.peakGflopsFp32} total${src('peakGflopsFp32')}`,
    `  int8 peak    ${p.peakGopsInt8PerThread} GOP/s per thread, ${p.peakGopsInt8} total${src('peakGopsInt8')}`,
    `  memory       ${p.ramGB} GB, ${p.memoryBandwidthGBs} GB/s${src('memoryBandwidthGBs')}`,
    ...(p.llcMB === undefined ? [] : [`  LLC          ${p.llcMB} MB${src('llcMB')}`]),
    ...(p.typicalPowerW === undefined ? [] : [`  power        ${p.typicalPowerW} W${src('typicalPowerW')}`]),
    ...(p.measured
      ? [
          'Measured with ONNX Runtime ' +
            p.measured.ortVersion +
            ` (${p.measured.threads} thread(s), ${p.measured.measuredAt})`,
          `  fp32 MatMul  ${p.measured.fp32Gflops} GFLOP/s    fp32 Conv ${p.measured.fp32ConvGflops} GFLOP/s    depthwise ${p.measured.depthwiseGflops} GFLOP/s`,
          `  int8 MatMul  ${p.measured.int8Gops} GOP/s    int8 Conv ${p.measured.int8ConvGops} GOP/s`,
          `  streaming    ${p.measured.smallBandwidthGBs} GB/s (L2-sized), ${p.measured.bandwidthGBs} GB/s (32 MB)`,
          `  overheads    ${p.measured.kernelOverheadUs} µs per kernel, ${p.measured.runOverheadUs} µs per run`,
        ]
      : []),
    ...(p.assumptions.length > 0 ? ['Assumptions', ...p.assumptions.map((a) => `  - ${a}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}
