import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type LogFn } from 'pino';

/** What the app logs with: pino's level methods. */
export type Logger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * One log file per data dir, so a user can attach it to a bug report. pino and the file open with the first line
 * logged (a list command logs nothing and never loads pino); the file is created private (0600).
 */
export function createFileLogger(dataDir: string, level = process.env.EDGEFLEET_LOG_LEVEL ?? 'info'): Logger {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  const dest = join(dir, 'edgefleet.log');
  let real: pino.Logger | undefined;
  const logger = (): pino.Logger => {
    if (real === undefined) {
      closeSync(openSync(dest, 'a', 0o600));
      real = pino({ level }, pino.destination({ dest, sync: true, mkdir: true }));
    }
    return real;
  };
  const method =
    (name: keyof Logger): LogFn =>
    (...args: unknown[]) => {
      const l = logger();
      (l[name] as (...a: unknown[]) => void).apply(l, args);
    };
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
