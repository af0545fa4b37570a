import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '../../../../shared/errors';
import { command } from './shell-quote';

/**
 * An argument vector (each element one remote argument), or a POSIX sh script run as `sh -c script name
 * args…`: the script text is fixed, user values travel as `$1`, `$2`… and never become script text.
 */
export type ExecCommand = readonly string[] | { script: string; args?: readonly string[] };

export type ExecOptions = {
  /** Default: the target's `timeouts.commandMs`. 0 = no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
  stdin?: string | Buffer;
  /** Throw REMOTE_COMMAND_FAILED when the exit code is not 0. */
  check?: boolean;
  /** Most bytes kept of stdout and of stderr; past it the command is stopped. Default defaultMaxOutputBytes. */
  maxOutputBytes?: number;
};

/**
 * A remote command's output is buffered in memory: a device that prints without end (a runaway script,
 * `yes`, a hostile shell) must not grow the app. 8 MiB is far above any probe, check or benchmark report.
 */
const defaultMaxOutputBytes = 8 * 1024 * 1024;

export type ExecResult = {
  /** Exit status; -1 when the remote process was killed by a signal. */
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
};

export function commandLine(cmd: ExecCommand): string {
  if ('script' in cmd) return command(['sh', '-c', cmd.script, 'edgefleet', ...(cmd.args ?? [])]);
  return command(cmd);
}

/** Short form of the command for messages: scripts are long, only their first line says what they are. */
function describeCommand(cmd: ExecCommand): string {
  if ('script' in cmd) return `script "${(cmd.script.trim().split('\n')[0] ?? '').slice(0, 80)}"`;
  return command(cmd).slice(0, 200);
}

const tailBytes = 2000;

function tail(text: string): string {
  return text.length > tailBytes ? `…${text.slice(-tailBytes)}` : text;
}

type RunExecInput = {
  client: Client;
  cmd: ExecCommand;
  where: string;
  timeoutMs: number;
  signal?: AbortSignal;
  stdin?: string | Buffer;
  check?: boolean;
  maxOutputBytes?: number;
};

export function runExec(input: RunExecInput): Promise<ExecResult> {
  const { client, cmd, where, timeoutMs, signal, stdin } = input;
  const what = describeCommand(cmd);
  return new Promise<ExecResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AppError('CANCELLED', `Cancelled before running ${what} on ${where}.`));
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let channel: ClientChannel | undefined;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');
    const errText = (): string => stripPidLine(text(stderr));
    const finish = (outcome: { result: ExecResult } | { error: AppError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.result);
    };
    // Stopping a remote command: closing the channel alone leaves it running. sshd makes each session a
    // process group led by the login shell, whose pid the wrapper reported; `kill -9 -<pid>` on a second
    // channel ends the command and its children. (The SSH "signal" request does the same, but OpenSSH
    // refuses it for root logins, which edge devices often use; it is sent too, for the others.)
    const stop = (error: AppError): void => {
      if (channel !== undefined) {
        const pid = remotePid(stderr);
        if (pid !== null) killRemoteGroup(client, pid);
        sendSignal(channel, 'KILL');
        channel.close();
      }
      finish({ error });
    };
    const onAbort = (): void => stop(new AppError('CANCELLED', `Cancelled ${what} on ${where}.`));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs > 0) {
      timer = setTimeout(
        () =>
          stop(
            new AppError(
              'TIMEOUT',
              `${what} on ${where} did not finish within ${timeoutMs / 1000} s and was stopped. Check the device, or allow more time.`,
              { timeoutMs, stdout: tail(text(stdout)), stderr: tail(errText()) },
            ),
          ),
        timeoutMs,
      );
    }

    try {
      client.exec(wrapCommandLine(commandLine(cmd)), (err, ch) => {
        if (err) {
          finish({
            error: new AppError(
              'REMOTE_COMMAND_FAILED',
              `${where} refused to run ${what}: ${err.message}. The connection may be closing or out of sessions; retry.`,
            ),
          });
          return;
        }
        channel = ch;
        if (settled) {
          ch.close();
          return;
        }
        let code: number | null = null;
        let exitSignal: string | null = null;
        ch.on('exit', (c: number | null, s?: string) => {
          code = c;
          exitSignal = s ?? null;
        });
        const cap = input.maxOutputBytes ?? defaultMaxOutputBytes;
        const sizes = { stdout: 0, stderr: 0 };
        const keep = (which: 'stdout' | 'stderr', into: Buffer[]) => (chunk: Buffer) => {
          if (settled) return;
          sizes[which] += chunk.length;
          if (sizes[which] > cap) {
            stop(
              new AppError(
                'REMOTE_COMMAND_FAILED',
                `${what} on ${where} printed more than ${cap} bytes on ${which} and was stopped. Check the command on the device (it should print little).`,
                { maxOutputBytes: cap, stream: which },
              ),
            );
            return;
          }
          into.push(chunk);
        };
        ch.on('data', keep('stdout', stdout));
        ch.stderr.on('data', keep('stderr', stderr));
        ch.on('error', (e: Error) =>
          finish({
            error: new AppError('REMOTE_COMMAND_FAILED', `${what} on ${where} failed: ${e.message}.`),
          }),
        );
        ch.on('close', () => {
          const result: ExecResult = {
            code: code ?? -1,
            signal: exitSignal,
            stdout: text(stdout),
            stderr: stripPidLine(text(stderr)),
          };
          if (input.check === true && result.code !== 0) {
            finish({ error: commandFailed(what, where, result) });
            return;
          }
          finish({ result });
        });
        // Always send EOF: a command that reads stdin would otherwise wait forever.
        ch.end(stdin);
      });
    } catch (err) {
      // ssh2 throws synchronously when the connection is already gone.
      finish({
        error: new AppError(
          'UNREACHABLE',
          `Lost the connection to ${where} (${(err as Error).message}). Reconnect and retry.`,
        ),
      });
    }
  });
}

const pidMarker = '@@edgefleet-pid:';
const pidLine = /^@@edgefleet-pid:(\d+)\n/;

/**
 * The login shell reports its pid on stderr, then `exec`s the command, which keeps that pid (and the
 * process group sshd gave the session). Assumes a POSIX login shell, as the quoting does.
 */
function wrapCommandLine(line: string): string {
  return `echo ${pidMarker}$$ >&2; exec ${line}`;
}

function stripPidLine(stderr: string): string {
  return stderr.replace(pidLine, '');
}

function remotePid(stderr: Buffer[]): number | null {
  const head = Buffer.concat(stderr).subarray(0, 64).toString('latin1');
  const m = pidLine.exec(head);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** Fire and forget: the caller already has its answer (TIMEOUT or CANCELLED). */
function killRemoteGroup(client: Client, pid: number): void {
  try {
    client.exec(`kill -9 -${pid} 2>/dev/null || kill -9 ${pid} 2>/dev/null`, (err, ch) => {
      if (err) return;
      ch.on('close', () => undefined);
      ch.resume();
      ch.stderr.resume();
      ch.end();
    });
  } catch {
    // Connection already gone: the session, and with it the command's stdin/stdout, is gone too.
  }
}

type ChannelInternals = {
  outgoing?: { id?: number; state?: string };
  _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
};

/**
 * ssh2's `channel.signal()` silently does nothing once we sent EOF on stdin (it checks `writable`), but we
 * always send EOF right away. The SSH protocol allows the "signal" request after EOF, so send it through
 * the same internal call `signal()` uses, when that is present.
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const internals = channel as unknown as ChannelInternals;
  const id = internals.outgoing?.id;
  const protocol = internals._client?._protocol;
  try {
    if (
      id !== undefined &&
      (internals.outgoing?.state === 'open' || internals.outgoing?.state === 'eof') &&
      typeof protocol?.signal === 'function'
    ) {
      protocol.signal(id, name);
    } else {
      channel.signal(name);
    }
  } catch {
    // The channel may be closing already; closing it is what matters then.
  }
}

function commandFailed(what: string, where: string, result: ExecResult): AppError {
  const status = result.signal !== null ? `was killed by ${result.signal}` : `exited with ${result.code}`;
  const detail = result.stderr.trim() === '' ? '' : `: ${tail(result.stderr.trim())}`;
  return new AppError('REMOTE_COMMAND_FAILED', `${what} on ${where} ${status}${detail}`, {
    code: result.code,
    signal: result.signal,
    stdout: tail(result.stdout),
    stderr: tail(result.stderr),
  });
}
