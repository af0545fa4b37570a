import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';

export type Logger = pino.Logger;

/** One log file per data dir, so a user can attach it to a bug report. */
export function createFileLogger(dataDir: string, level = process.env.EDGEFLEET_LOG_LEVEL ?? 'info'): Logger {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true });
  return pino({ level }, pino.destination({ dest: join(dir, 'edgefleet.log'), sync: true, mkdir: true }));
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
