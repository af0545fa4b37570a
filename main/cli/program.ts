import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { AppError } from '../../shared/errors';
import { reportError, type CliIo, type GlobalOptions } from './cli-context';
import { registerDeviceCommands } from './commands/devices';
import { registerBenchCommand } from './commands/bench';
import { registerDeployCommands } from './commands/deploy';
import { registerModelCommands } from './commands/models';
import { registerOptimizeCommand } from './commands/optimize';
import { registerProfileCommands } from './commands/profiles';

/** Parses argv and runs one command; resolves to the process exit code (0 ok, 1 refused, 2 usage, 3 internal). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = new Command('edgefleet')
    .description('EdgeFleet: optimize, benchmark and deploy ONNX models to edge devices over SSH')
    .version(packageJson.version)
    .option('--data-dir <dir>', 'data directory (default: $EDGEFLEET_HOME, else the app-data folder)')
    .option('--json', 'print exactly one JSON document on stdout')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const globals = () => program.opts<GlobalOptions>();
  // Subcommands inherit exitOverride and the output settings from the program (commander copies them).
  registerModelCommands(program, globals, io, (code) => (exitCode = code));
  registerDeviceCommands(program, globals, io, (code) => (exitCode = code));
  registerOptimizeCommand(program, globals, io, (code) => (exitCode = code));
  registerProfileCommands(program, globals, io, (code) => (exitCode = code));
  registerBenchCommand(program, globals, io, (code) => (exitCode = code));
  registerDeployCommands(program, globals, io, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, successfully.
      if (err.exitCode === 0) return 0;
      const json = argv.includes('--json');
      if (json) return reportError(new AppError('USAGE', err.message.replace(/^error: /, '')), true, io);
      return 2;
    }
    return reportError(err, argv.includes('--json'), io);
  }
}
