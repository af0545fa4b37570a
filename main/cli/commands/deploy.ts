import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { AppError } from '../../../shared/errors';
import {
  deployOptionsSchema,
  type DeploymentReport,
  type DeployOptionsInput,
} from '../../../shared/schemas/deploy';
import type { ConnectOptions } from '../../core/deploy/deploy-service';
import { runCommand, type CliIo, type CommandContext, type GlobalOptions } from '../cli-context';
import { deployProgressView } from './deploy/deploy-progress';
import {
  deviceOk,
  driftOk,
  driftText,
  historyText,
  planText,
  reportText,
  statusText,
} from './deploy/deploy-text';
import { askSecrets, connectTimeoutMs, parsePositiveInt, parseSeconds } from './devices/cli-options';
import { tensorrtFromFlags, withTensorrtOptions, type TensorrtFlags } from './tensorrt-flags';

/**
 * `edgefleet deploy | rollback | status | history | drift`: one-click deploy from a script. Exit codes: 0 every
 * device deployed/unchanged (drift: all in sync), 1 any device failed, rolled back, was skipped or cancelled
 * (drift: anything else found), 2 usage, 3 internal. With --json, stdout holds one document: the full report.
 */

type Globals = () => GlobalOptions;
type Exit = (code: number) => void;

type RolloutFlags = {
  concurrency?: number;
  canary?: number;
  maxFailPercent?: number;
  keepReleases?: number;
  restartTimeout?: number;
  healthTimeout?: number;
  healthAttempts?: number;
  healthInterval?: number;
  connectTimeout?: number;
  rehash?: boolean;
};

type DeployFlags = RolloutFlags & {
  to?: string[];
  dryRun?: boolean;
  engine: 'builtin' | 'ansible';
  forks?: number;
  export?: string;
  importResults?: string;
};

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return Number(value);
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InvalidArgumentError('expected a percentage from 0 to 100.');
  }
  return n;
}

function withRolloutOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--concurrency <n>', 'devices worked on at once (default 8)').argParser(parsePositiveInt),
    )
    .addOption(
      new Option(
        '--canary <n>',
        'deploy to the first N devices, and to the rest only when all are healthy',
      ).argParser(parseCount),
    )
    .addOption(
      new Option(
        '--max-fail-percent <p>',
        'stop starting devices once more than P% of them failed',
      ).argParser(parsePercent),
    )
    .addOption(
      new Option('--keep-releases <n>', 'releases kept per model on each device (default 3)').argParser(
        parsePositiveInt,
      ),
    )
    .addOption(
      new Option('--restart-timeout <seconds>', 'limit for the restart command (default 60)').argParser(
        parseSeconds,
      ),
    )
    .addOption(
      new Option('--health-timeout <seconds>', 'limit for one health check (default 30)').argParser(
        parseSeconds,
      ),
    )
    .addOption(
      new Option(
        '--health-attempts <n>',
        'health checks before the release counts as unhealthy (default 3)',
      ).argParser(parsePositiveInt),
    )
    .addOption(
      new Option('--health-interval <seconds>', 'pause between health checks (default 2)').argParser(
        parseSeconds,
      ),
    )
    .addOption(
      new Option(
        '--connect-timeout <seconds>',
        'per connection: TCP, SSH handshake and login (default 10)',
      ).argParser(parseSeconds),
    );
}

/** Flags → the core's options; out-of-range values are usage errors (exit 2), with the flag named. */
function rolloutOptions(flags: RolloutFlags): DeployOptionsInput {
  const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  const raw = {
    concurrency: flags.concurrency,
    canary: flags.canary,
    maxFailPercent: flags.maxFailPercent,
    keepReleases: flags.keepReleases,
    restartTimeoutMs: ms(flags.restartTimeout),
    healthTimeoutMs: ms(flags.healthTimeout),
    healthAttempts: flags.healthAttempts,
    healthIntervalMs: ms(flags.healthInterval),
    rehash: flags.rehash,
  };
  const options = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = deployOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = `--${String(issue?.path[0] ?? '')
      .replace(/Ms$/, '')
      .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new AppError('USAGE', `${flag}: ${issue?.message ?? 'invalid'}.`);
  }
  return options as DeployOptionsInput;
}

function connectOptions(flags: { connectTimeout?: number }): ConnectOptions {
  return { connectTimeoutMs: connectTimeoutMs(flags) };
}

/**
 * Runs a rollout with Ctrl-C (or SIGTERM) as cancel: devices already switched stay consistent, the others stay
 * on their release. A second Ctrl-C quits at once (the next start marks the deployment interrupted).
 */
async function cancellable<T>(
  io: CliIo,
  json: boolean,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    if (!json) {
      io.stderr(
        '\nCancelling: devices already switched finish their checks, the others stay on their release. Press Ctrl-C again to quit at once.\n',
      );
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerDeployCommands(program: Command, globals: Globals, io: CliIo, exit: Exit): void {
  /** runCommand, plus exit code 1 when the command ran but something on a device is not right. */
  const run = async <T>(
    body: (ctx: CommandContext) => Promise<T>,
    text: (v: T) => string,
    bad?: (v: T) => boolean,
  ) => {
    let failed = false;
    const code = await runCommand(
      globals(),
      io,
      async (ctx) => {
        const value = await body(ctx);
        failed = bad?.(value) ?? false;
        return value;
      },
      text,
    );
    exit(code === 0 && failed ? 1 : code);
  };
  const rolloutFailed = (r: DeploymentReport) => r.devices.some((d) => !deviceOk(d));

  withRolloutOptions(
    withTensorrtOptions(
      program.command('deploy'),
      'build an engine on each device after the verified upload (before the switch)',
    )
      .description(
        'deploy a model (or variant) to devices: upload, verify sha256, switch atomically, restart, health-check, roll back on failure',
      )
      .argument('[model]', 'id or name of the model or variant')
      .option('--to <targets...>', 'device names, tag:T, or all (after the model)')
      .option(
        '--dry-run',
        'show what would happen (recorded state and the exact remote commands); run nothing',
      )
      .addOption(
        new Option('--engine <engine>', 'who runs the rollout: EdgeFleet itself, or ansible-playbook')
          .choices(['builtin', 'ansible'])
          .default('builtin'),
      )
      .addOption(
        new Option(
          '--forks <n>',
          'with --engine ansible: hosts Ansible works on at once (default: --concurrency)',
        ).argParser(parsePositiveInt),
      )
      .option(
        '--export <dir>',
        'with --engine ansible: only write the Ansible project (inventory, known_hosts, playbook, model, README) to DIR',
      )
      .option(
        '--import-results <file>',
        "record the results of an exported playbook's run (ansible.posix.json output)",
      )
      .option(
        '--rehash',
        'hash a release already on a device again, even when its file is unchanged since it was verified',
      ),
  ).action(async (model: string | undefined, flags: DeployFlags & TensorrtFlags) => {
    if (flags.importResults !== undefined) {
      const file = flags.importResults;
      await run(
        async (ctx) => {
          if (model !== undefined || flags.to !== undefined || flags.export !== undefined) {
            throw new AppError('USAGE', '--import-results FILE takes no model, --to or --export.');
          }
          return ctx.services().deploy.ansible.importResults(file);
        },
        reportText,
        rolloutFailed,
      );
      return;
    }
    if (model === undefined || flags.to === undefined) {
      await run(async () => {
        throw new AppError('USAGE', 'Give the model and --to <targets...> (or --import-results FILE).');
      }, String);
      return;
    }
    const to = flags.to;
    if (flags.engine !== 'ansible' && (flags.forks !== undefined || flags.export !== undefined)) {
      await run(async () => {
        throw new AppError('USAGE', '--forks and --export belong to --engine ansible.');
      }, String);
      return;
    }
    if (flags.engine === 'ansible' && tensorrtFromFlags(flags) !== null) {
      await run(async () => {
        throw new AppError(
          'USAGE',
          '--tensorrt needs the built-in engine (Ansible does not build engines yet).',
        );
      }, String);
      return;
    }
    if (flags.engine === 'ansible' && flags.dryRun !== true) {
      const exportDir = flags.export;
      if (exportDir !== undefined) {
        await run(
          async (ctx) => {
            const { deploy } = ctx.services();
            const prepared = deploy.prepare(model, to, rolloutOptions(flags), connectOptions(flags));
            return deploy.ansible.exportTo(prepared, exportDir, flags.forks);
          },
          (v) =>
            `Wrote the Ansible project of deployment ${v.deploymentId} to ${v.dir}: ${v.files.join(', ')}.\nRun it there (see README.md), then: edgefleet deploy --import-results <results.json>\n`,
        );
        return;
      }
      await run(
        async (ctx) => {
          const { deploy } = ctx.services();
          const prepared = deploy.prepare(model, to, rolloutOptions(flags), connectOptions(flags));
          if (!ctx.json) {
            io.stderr(
              `Deploying ${prepared.model.name} as ${prepared.artifact.modelName}/${prepared.plan.release} to ${prepared.devices.length} device(s) with ansible-playbook\n`,
            );
          }
          return cancellable(io, ctx.json, (signal) =>
            deploy.ansible.run(prepared, {
              signal,
              ...(flags.forks === undefined ? {} : { forks: flags.forks }),
            }),
          );
        },
        reportText,
        rolloutFailed,
      );
      return;
    }
    if (flags.dryRun === true) {
      await run(
        async (ctx) => {
          const { deploy } = ctx.services();
          const options = { ...rolloutOptions(flags), tensorrt: tensorrtFromFlags(flags) };
          return {
            preview: deploy.preview(model, to, options),
            plan: deploy.planForDisplay(model, to, options),
          };
        },
        (v) => planText(v.preview, v.plan),
      );
      return;
    }
    await run(
      async (ctx) => {
        const options = { ...rolloutOptions(flags), tensorrt: tensorrtFromFlags(flags) };
        const { fleet, deploy } = ctx.services();
        await askSecrets(fleet, deploy.resolveDevices(to));
        const prepared = deploy.prepare(model, to, options, connectOptions(flags));
        if (!ctx.json) {
          io.stderr(
            `Deploying ${prepared.model.name} as ${prepared.artifact.modelName}/${prepared.plan.release} to ${prepared.devices.length} device(s)\n`,
          );
        }
        const view = deployProgressView(io, ctx.json);
        try {
          return await cancellable(io, ctx.json, (signal) =>
            deploy.run(prepared, { signal, onProgress: (p) => view.update(p) }),
          );
        } finally {
          view.end();
        }
      },
      reportText,
      rolloutFailed,
    );
  });

  withRolloutOptions(
    program
      .command('rollback')
      .description(
        'switch devices back to their previous release (or --to-release), with the same restart and health check',
      )
      .argument('<targets...>', 'device names, tag:T, or all')
      .option('--model <model>', 'the model to roll back (default: the one model these devices run)')
      .option('--to-release <release>', 'a release still on the devices, e.g. 20240501-123456-ab12cd34'),
  ).action(async (targets: string[], flags: RolloutFlags & { model?: string; toRelease?: string }) => {
    await run(
      async (ctx) => {
        const options = rolloutOptions(flags);
        const { fleet, deploy } = ctx.services();
        await askSecrets(fleet, deploy.resolveDevices(targets));
        const prepared = deploy.prepareRollback(
          targets,
          { model: flags.model, toRelease: flags.toRelease },
          options,
          connectOptions(flags),
        );
        const view = deployProgressView(io, ctx.json, 'rollback');
        try {
          return await cancellable(io, ctx.json, (signal) =>
            deploy.rollback(prepared, { signal, onProgress: (p) => view.update(p) }),
          );
        } finally {
          view.end();
        }
      },
      reportText,
      rolloutFailed,
    );
  });

  program
    .command('status')
    .description('what runs where, as recorded: per device and model, the current and previous release')
    .option('--device <device>', 'only this device (name or id)')
    .option('--model <model>', 'only this model (its directory name on the devices)')
    .action(async (flags: { device?: string; model?: string }) => {
      await run(async (ctx) => {
        const rows = ctx.services().deploy.status(flags.device);
        return flags.model === undefined ? rows : rows.filter((r) => r.modelName === flags.model);
      }, statusText);
    });

  program
    .command('history')
    .description('deployments and rollbacks, newest first; with an id, that deployment per device')
    .argument('[deployment]', 'a deployment id: show its per-device results')
    .option('--device <device>', 'only deployments that included this device')
    .addOption(new Option('--limit <n>', 'at most N deployments (default 100)').argParser(parsePositiveInt))
    .action(async (id: string | undefined, flags: { device?: string; limit?: number }) => {
      if (id !== undefined) {
        await run(async (ctx) => ctx.services().deploy.report(id), reportText);
        return;
      }
      await run(
        async (ctx) =>
          ctx.services().deploy.history({
            ...(flags.limit === undefined ? {} : { limit: Math.min(flags.limit, 10_000) }),
            device: flags.device,
          }),
        historyText,
      );
    });

  program
    .command('drift')
    .description(
      'read what the devices really run (current manifest + file sha256) and compare with the records; exit 1 on any difference',
    )
    .option('--to <targets...>', 'device names, tag:T, or all (default all)')
    .option('--reconcile', 'record what the devices verifiably run (never adopts modified files)')
    .addOption(
      new Option('--connect-timeout <seconds>', 'per connection (default 10)').argParser(parseSeconds),
    )
    .action(async (flags: { to?: string[]; reconcile?: boolean; connectTimeout?: number }) => {
      const targets = flags.to ?? ['all'];
      await run(
        async (ctx) => {
          const { fleet, deploy } = ctx.services();
          const devices = deploy.resolveDevices(targets);
          await askSecrets(fleet, devices);
          if (!ctx.json) io.stderr(`Checking ${devices.length} device(s)…\n`);
          return cancellable(io, ctx.json, (signal) =>
            deploy.drift(targets, {
              signal,
              reconcile: flags.reconcile === true,
              ...connectOptions(flags),
            }),
          );
        },
        driftText,
        (report) => !driftOk(report),
      );
    });
}
