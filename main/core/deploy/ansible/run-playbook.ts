import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AppError } from '../../../../shared/errors';
import { bundleFiles } from './playbook';

/** `ansible-playbook` on PATH (or ANSIBLE_PLAYBOOK), or ANSIBLE_NOT_FOUND saying how to install it. */
export function findAnsiblePlaybook(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['EDGEFLEET_ANSIBLE_PLAYBOOK'];
  const candidates =
    explicit !== undefined && explicit !== ''
      ? [explicit]
      : (env['PATH'] ?? '')
          .split(delimiter)
          .filter((d) => d !== '')
          .map((d) => join(d, 'ansible-playbook'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // Not here.
    }
  }
  throw new AppError(
    'ANSIBLE_NOT_FOUND',
    'ansible-playbook is not installed (or not on PATH). Install Ansible (Debian/Ubuntu: sudo apt-get install ansible), or write the project with --export DIR and run it where Ansible is. Nothing was changed.',
  );
}

export type PlaybookRun = { stdout: string; stderr: string; code: number | null; signal: string | null };

/**
 * Runs the project's playbook with the JSON callback, in the project's directory and with its ansible.cfg.
 * Ansible's exit code says little (2 = some host failed, 4 = unreachable): the results say it all.
 */
export function runPlaybook(
  playbook: string,
  dir: string,
  forks: number,
  signal?: AbortSignal,
): Promise<PlaybookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(playbook, ['-f', String(forks), bundleFiles.playbook], {
      cwd: dir,
      env: {
        ...process.env,
        ANSIBLE_CONFIG: join(dir, bundleFiles.config),
        ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, '.cp'),
        ANSIBLE_LOCAL_TEMP: join(dir, '.tmp'),
        ANSIBLE_RETRY_FILES_ENABLED: 'False',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal === undefined ? {} : { signal, killSignal: 'SIGINT' }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ABORT_ERR') return;
      reject(
        new AppError(
          'ANSIBLE_NOT_FOUND',
          `Cannot start ${playbook}: ${e.message}. Install Ansible (sudo apt-get install ansible).`,
        ),
      );
    });
    child.on('close', (code, sig) =>
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
        signal: sig,
      }),
    );
  });
}
