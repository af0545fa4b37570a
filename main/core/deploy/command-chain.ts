import { randomBytes } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { ExecResult, SshConnection } from '../fleet/ssh';
import type { PlannedCommand } from './plan';
import { chainScript } from './remote-scripts';

/**
 * Plan commands that follow each other with no decision of ours in between, sent in one SSH round trip
 * (chainScript). Each keeps its own script, arguments, exit code, stdout and stderr: the runners read the
 * results exactly as if each command had run alone, so the plan, the Ansible engine and the scripts are
 * unchanged.
 */

/** When a command of the chain runs, judged on the one before it. */
export type ChainCondition = 'ok' | 'always' | { line: string };

export type ChainLink = { cmd: PlannedCommand; when: ChainCondition };

/** Results of the commands that ran, in order: shorter than the chain when a condition stopped it. */
export async function runChain(
  conn: SshConnection,
  first: PlannedCommand,
  rest: readonly ChainLink[],
  signal?: AbortSignal,
): Promise<ExecResult[]> {
  const tag = randomBytes(8).toString('hex');
  const chain = chainCommand(first, rest, tag);
  const result = await conn.exec(chain.exec, {
    timeoutMs: chain.timeoutMs ?? undefined,
    stdin: chain.stdin ?? undefined,
    signal,
  });
  return splitChainResult(result, tag, rest.length + 1);
}

/** The chain as one command: chainScript, its arguments, the stdin and the time limit it gets. */
export function chainCommand(
  first: PlannedCommand,
  rest: readonly ChainLink[],
  tag: string,
): { exec: { script: string; args: string[] }; stdin: string | null; timeoutMs: number | null } {
  const links: ChainLink[] = [{ cmd: first, when: 'always' }, ...rest];
  const withStdin = links.filter((l) => l.cmd.stdin !== null);
  if (withStdin.length > 1) {
    throw new AppError('INTERNAL', 'Only one command of a chain can read stdin.');
  }
  const args = [tag];
  for (const { cmd, when } of links) {
    if (!('script' in cmd.exec)) {
      throw new AppError('INTERNAL', `The ${cmd.id} command is not a script and cannot be chained.`);
    }
    const own = cmd.exec.args ?? [];
    args.push(
      cmd.exec.script,
      String(own.length),
      conditionArg(when),
      cmd.stdin === null ? '0' : '1',
      ...own,
    );
  }
  const limits = links.map((l) => l.cmd.timeoutMs);
  return {
    exec: { script: chainScript, args },
    stdin: withStdin[0]?.cmd.stdin ?? null,
    // The device's default unless every command names its own limit.
    timeoutMs: limits.every((t): t is number => t !== null) ? limits.reduce((a, b) => a + b, 0) : null,
  };
}

function conditionArg(when: ChainCondition): string {
  if (typeof when !== 'string') return `line:${when.line}`;
  return when;
}

/**
 * One result per command that finished; a command cut off without its end marker (the chain itself failed)
 * gets the chain's own exit code and the rest of the output.
 */
export function splitChainResult(result: ExecResult, tag: string, commands: number): ExecResult[] {
  const ends = new RegExp(`\\n@@${tag}:(-?\\d+)@@\\n`, 'g');
  const results: ExecResult[] = [];
  const errParts = result.stderr.split(`\n@@${tag}@@\n`);
  let from = 0;
  for (const m of result.stdout.matchAll(ends)) {
    if (results.length === commands) break;
    results.push({
      code: Number(m[1]),
      signal: null,
      stdout: result.stdout.slice(from, m.index),
      stderr: errParts[results.length] ?? '',
    });
    from = m.index + m[0].length;
  }
  const rest = result.stdout.slice(from);
  if (results.length < commands && (result.code !== 0 || rest !== '')) {
    results.push({
      code: result.code === 0 ? -1 : result.code,
      signal: result.signal,
      stdout: rest,
      stderr: errParts.slice(results.length).join('\n'),
    });
  }
  return results;
}
