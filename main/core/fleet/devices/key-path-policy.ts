import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { AppError } from '../../../../shared/errors';
import { expandHome } from './device-ssh-target';

/**
 * Which key paths the untrusted UI may name: files under ~/.ssh (plus directories the person who started the
 * app listed in EDGEFLEET_KEY_DIRS), or a file the user chose in a native dialog. The check is lexical on
 * purpose: it touches no file, so a refusal never reveals whether a path exists. The CLI does not use it:
 * there the person at the terminal names the key.
 */
export class KeyPathPolicy {
  private readonly dirs: string[];

  constructor(
    dirs: readonly string[] = defaultKeyDirs(),
    private readonly chosen: (path: string) => boolean = () => false,
  ) {
    this.dirs = dirs.map((d) => resolve(d));
  }

  /** Throws KEY_FILE_NOT_ALLOWED (the same for any path) unless the UI may name this key file. */
  check(keyPath: string): void {
    const absolute = resolve(expandHome(keyPath));
    const inside = this.dirs.some((dir) => {
      const rel = relative(dir, absolute);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
    if (inside || this.chosen(absolute)) return;
    throw new AppError(
      'KEY_FILE_NOT_ALLOWED',
      `The key file ${keyPath} is outside ${this.dirs.join(', ')}. Keep private keys in ~/.ssh, or choose the file in the app's file dialog.`,
      { keyPath },
    );
  }
}

export function defaultKeyDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env['EDGEFLEET_KEY_DIRS'] ?? '').split(':').filter((d) => isAbsolute(d));
  return [join(homedir(), '.ssh'), ...extra];
}
