import type { Command } from 'commander';
import { Option } from 'commander';
import { AppError } from '../../../shared/errors';
import type { ImportFormat, ImportReport } from '../../../shared/schemas/fleet';
import { exportFormatSchema, importFormatSchema } from '../../../shared/schemas/fleet';
import type { FleetOpOptions, FleetService } from '../../core/fleet/service';
import { runCommand, type CliIo, type CommandContext, type GlobalOptions } from '../cli-context';
import type { DeviceFlags, OpFlags } from './devices/cli-options';
import {
  askSecrets,
  collect,
  deviceInput,
  deviceOptions,
  fleetProgress,
  opOptions,
  settle,
  withOpOptions,
} from './devices/cli-options';
import {
  deviceListText,
  deviceText,
  importText,
  probeText,
  statusText,
  trustResultText,
} from './devices/devices-text';
import { trustShown } from './devices/trust-flow';
import { canPrompt } from './devices/tty-prompt';

type Globals = () => GlobalOptions;
type Exit = (code: number) => void;

export function registerDeviceCommands(program: Command, globals: Globals, io: CliIo, exit: Exit): void {
  const devices = program
    .command('devices')
    .description(
      'the device inventory: add, trust host keys, probe, status, import/export (targets: NAME, tag:T, all)',
    );

  /** runCommand, plus exit code 1 when a bulk operation had failures. */
  const run = async <T>(
    body: (ctx: CommandContext) => Promise<T>,
    text: (v: T) => string,
    failed?: { count: number },
  ) => {
    const code = await runCommand(globals(), io, body, text);
    exit(code === 0 && failed !== undefined && failed.count > 0 ? 1 : code);
    if (code === 0 && failed !== undefined && failed.count > 0 && !globals().json) {
      io.stderr(`${failed.count} device(s) failed; see above.\n`);
    }
  };

  deviceOptions(
    devices.command('add').description('add a device (then trust its host key: devices trust NAME)'),
    false,
  ).action(async (flags: DeviceFlags) => {
    await run(
      async (ctx) => ctx.services().fleet.add(deviceInput(flags, false)),
      (d) => `Added ${d.name} (${d.id}). Next: edgefleet devices trust ${d.name}\n${deviceText(d)}`,
    );
  });

  deviceOptions(
    devices
      .command('edit')
      .description('change a device; "" clears an optional field')
      .argument('<device>', 'name or id'),
    true,
  ).action(async (ref: string, flags: DeviceFlags) => {
    await run(
      async (ctx) => {
        const fleet = ctx.services().fleet;
        const input = deviceInput(flags, true);
        const addTags = flags.addTag ?? [];
        const removeTags = flags.removeTag ?? [];
        if (addTags.length > 0 || removeTags.length > 0) {
          const base = (input['tags'] as string[] | undefined) ?? fleet.get(ref).tags;
          input['tags'] = [...new Set([...base, ...addTags])].filter((t) => !removeTags.includes(t));
        }
        if (Object.keys(input).length === 0) {
          throw new AppError(
            'USAGE',
            'Nothing to change: give at least one option (see devices edit --help).',
          );
        }
        return fleet.update(ref, input);
      },
      (d) => `Updated ${d.name}\n${deviceText(d)}`,
    );
  });

  devices
    .command('rm')
    .description('remove a device from the inventory (nothing is done on the device)')
    .argument('<device>', 'name or id')
    .action(async (ref: string) => {
      await run(
        async (ctx) => ctx.services().fleet.remove(ref),
        (r) => `Removed ${r.name} (${r.id})\n`,
      );
    });

  devices
    .command('show')
    .description('show a device: settings, trust, status and probed facts')
    .argument('<device>', 'name or id')
    .action(async (ref: string) => {
      await run(async (ctx) => ctx.services().fleet.get(ref), deviceText);
    });

  devices
    .command('list')
    .description('list devices')
    .option('--tag <tag>', 'only devices with this tag')
    .action(async (opts: { tag?: string }) => {
      await run(async (ctx) => ctx.services().fleet.list({ tag: opts.tag }), deviceListText);
    });

  withOpOptions(
    devices
      .command('trust')
      .description(
        'pin the host keys the devices present (shown first); with --fingerprint, only keys with those fingerprints',
      )
      .argument('<targets...>', 'device names, tag:T, or all')
      .option('--fingerprint <SHA256:...>', 'the fingerprint you expect (repeatable)', collect)
      .option('--yes', 'do not ask before trusting the shown keys'),
  ).action(async (targets: string[], flags: OpFlags & { fingerprint?: string[]; yes?: boolean }) => {
    const failed = { count: 0 };
    await run(
      async (ctx) => {
        // Without a terminal nobody can be asked: pinning whatever is presented must be said explicitly.
        if (flags.fingerprint === undefined && flags.yes !== true && !canPrompt()) {
          throw new AppError(
            'USAGE',
            `No terminal to ask on, so nothing was trusted. Compare the device's key first, then pass --fingerprint SHA256:… (the key you expect), or --yes to pin the key it presents.`,
          );
        }
        const fleet = ctx.services().fleet;
        const resolved = fleet.resolve(targets);
        await askSecrets(
          fleet,
          resolved.filter((d) => d.jump !== null),
        );
        const progress = fleetProgress(io, ctx.json, 'trust');
        try {
          if (flags.fingerprint !== undefined) {
            return settle(await fleet.trust(targets, flags.fingerprint, opOptions(flags, progress)), failed);
          }
          return settle(await trustShown(fleet, resolved, flags, ctx, progress), failed);
        } finally {
          progress.end();
        }
      },
      trustResultText,
      failed,
    );
  });

  const fleetOp = <T extends { device: string; ok: boolean }>(
    verb: 'probe' | 'status',
    description: string,
    operation: (fleet: FleetService, targets: string[], options: FleetOpOptions) => Promise<T[]>,
    text: (outcomes: T[]) => string,
  ) => {
    withOpOptions(
      devices.command(verb).description(description).argument('<targets...>', 'device names, tag:T, or all'),
    ).action(async (targets: string[], flags: OpFlags) => {
      const failed = { count: 0 };
      await run(
        async (ctx) => {
          const fleet = ctx.services().fleet;
          await askSecrets(fleet, fleet.resolve(targets));
          const progress = fleetProgress(io, ctx.json, verb);
          try {
            return settle(await operation(fleet, targets, opOptions(flags, progress)), failed);
          } finally {
            progress.end();
          }
        },
        text,
        failed,
      );
    });
  };
  fleetOp(
    'probe',
    'collect OS, CPU, memory, disk, runtimes and deployed models from the devices',
    (fleet, targets, options) => fleet.probe(targets, options),
    probeText,
  );
  fleetOp(
    'status',
    'check reachability: online, offline, auth_failed, host_key_problem, timeout',
    (fleet, targets, options) => fleet.status(targets, options),
    statusText,
  );

  devices
    .command('import')
    .description(
      'add or update devices from a file; any rejected row → nothing imported (see --skip-invalid)',
    )
    .argument('<file>', 'inventory file')
    .addOption(
      new Option('--format <format>', 'file format (default: from the name or content)').choices(
        importFormatSchema.options,
      ),
    )
    .option('--skip-invalid', 'import the valid rows and report the rejected ones')
    .action(async (file: string, opts: { format?: ImportFormat; skipInvalid?: boolean }) => {
      await run(async (ctx) => {
        try {
          return await ctx
            .services()
            .fleet.importFile(file, opts.format, { skipInvalid: opts.skipInvalid === true });
        } catch (err) {
          const report = (err as AppError).details as { report?: ImportReport } | undefined;
          if (!ctx.json && err instanceof AppError && err.code === 'IMPORT_INVALID' && report?.report) {
            io.stderr(importText(report.report));
          }
          throw err;
        }
      }, importText);
    });

  devices
    .command('export')
    .description('write the inventory to stdout (--json: {format, text, deviceCount})')
    .addOption(
      new Option('--format <format>', 'csv, ansible-ini, ansible-yaml (also ssh-config, known-hosts)')
        .choices(exportFormatSchema.options)
        .makeOptionMandatory(),
    )
    .option('--tag <tag>', 'only devices with this tag')
    .action(async (opts: { format: (typeof exportFormatSchema.options)[number]; tag?: string }) => {
      await run(
        async (ctx) => ctx.services().fleet.export(opts.format, { tag: opts.tag }),
        (r) => r.text,
      );
    });
}
