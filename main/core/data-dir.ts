import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

/** `--data-dir`, else EDGEFLEET_HOME, else the platform's app-data folder (the same one Electron's userData uses). */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.EDGEFLEET_HOME) return resolve(env.EDGEFLEET_HOME);
  return defaultAppDataDir(env);
}

function defaultAppDataDir(env: NodeJS.ProcessEnv = process.env): string {
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'EdgeFleet');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'EdgeFleet');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'EdgeFleet');
  }
}
