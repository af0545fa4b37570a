import { AppError, exitCodeFor, toAppError } from '../../shared/errors';
import { resolveDataDir } from '../core/data-dir';
import type { Services } from '../core/services';

export type GlobalOptions = { dataDir?: string; json?: boolean };

/** Where a command writes: stdout holds the result only (one JSON document with --json); the rest goes to stderr. */
export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTty: boolean;
};

export type CommandContext = {
  json: boolean;
  io: CliIo;
  services(): Services;
};

/**
 * Runs one command: opens the services lazily, prints the result (JSON or text), maps errors to exit codes, and
 * always closes the database.
 */
export async function runCommand<T>(
  globals: GlobalOptions,
  io: CliIo,
  body: (ctx: CommandContext) => Promise<T>,
  formatText: (value: T) => string,
): Promise<number> {
  const json = globals.json === true;
  // Loaded here, not at the top: `--help` and usage errors never initialize the services (the bundle keeps
  // them in a chunk of their own, scripts/build-main.js).
  const { createServices } = await import('../core/services');
  let opened: Services | undefined;
  const ctx: CommandContext = {
    json,
    io,
    services() {
      opened ??= createServices({ dataDir: resolveDataDir(globals.dataDir) });
      return opened;
    },
  };
  try {
    const value = await body(ctx);
    io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : formatText(value));
    return 0;
  } catch (err) {
    return reportError(err, json, io);
  } finally {
    await opened?.close();
  }
}

export function reportError(err: unknown, json: boolean, io: CliIo): number {
  const appError = err instanceof AppError ? err : toAppError(err);
  if (json) {
    const error = { code: appError.code, message: appError.message };
    io.stdout(
      `${JSON.stringify({ error: appError.details === undefined ? error : { ...error, details: appError.details } }, null, 2)}\n`,
    );
  } else {
    io.stderr(`error ${appError.code}: ${appError.message}\n`);
  }
  return exitCodeFor(appError.code);
}
