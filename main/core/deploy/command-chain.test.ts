import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExecResult } from '../fleet/ssh';
import { chainCommand, splitChainResult, type ChainLink } from './command-chain';
import { plannedCommand, type PlannedCommand } from './plan';

/**
 * The chain runs under dash and bash here, the way a device runs it (`sh -c <script> edgefleet <args…>`):
 * each command must see exactly its own arguments, stdin and exit code, as if it had run alone.
 */

const shells = ['/bin/sh', '/bin/bash'];
let shell = '/bin/sh';

const tag = 'a1b2c3d4e5f60718';

function cmd(script: string, args: string[] = [], stdin: string | null = null): PlannedCommand {
  return plannedCommand('verify', 'test', { script, args }, { ...(stdin === null ? {} : { stdin }) });
}

function runLocally(first: PlannedCommand, rest: ChainLink[] = []): ExecResult[] {
  const chain = chainCommand(first, rest, tag);
  const r = spawnSync(shell, ['-c', chain.exec.script, 'edgefleet', ...chain.exec.args], {
    encoding: 'utf8',
    input: chain.stdin ?? '',
  });
  return splitChainResult(
    { code: r.status ?? -1, signal: null, stdout: r.stdout, stderr: r.stderr },
    tag,
    rest.length + 1,
  );
}

/** What the same command gives when it runs alone. */
function alone(c: PlannedCommand): Omit<ExecResult, 'signal'> {
  if (!('script' in c.exec)) throw new Error('not a script');
  const r = spawnSync(shell, ['-c', c.exec.script, 'edgefleet', ...(c.exec.args ?? [])], {
    encoding: 'utf8',
    input: c.stdin ?? '',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const awkward = ["it's", 'a b', '$(touch /tmp/x)', '', '-n', 'line\nbreak', '\\', '"q"'];

describe.each(shells)('command chain under %s: several plan commands in one round trip', (sh) => {
  beforeAll(() => {
    shell = sh;
  });

  it('gives each command its own arguments, stdin, stdout, stderr and exit code, as if run alone', () => {
    const first = cmd('printf "%s|" "$#" "$@"; echo warn >&2; exit 3', awkward);
    const second = cmd('set -u; cat; printf "\\n%s\\n\\n" "$1"; exit 0', ['second'], 'from stdin\n');
    const third = cmd('printf "no newline %s" "$#"; printf err >&2', []);
    const results = runLocally(first, [
      { cmd: second, when: 'always' },
      { cmd: third, when: 'ok' },
    ]);
    expect(results.map((r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr }))).toEqual([
      alone(first),
      alone(second),
      alone(third),
    ]);
    expect(results[0]?.stdout).toBe(`${awkward.length}|${awkward.join('|')}|`);
    expect(results[1]?.stdout).toBe('from stdin\n\nsecond\n\n');
  });

  it('stops at the first command whose condition does not hold', () => {
    const failing = cmd('echo partial; exit 31');
    const next = cmd('echo ran');
    expect(runLocally(failing, [{ cmd: next, when: 'ok' }]).map((r) => [r.code, r.stdout])).toEqual([
      [31, 'partial\n'],
    ]);
    expect(runLocally(failing, [{ cmd: next, when: 'always' }]).map((r) => [r.code, r.stdout])).toEqual([
      [31, 'partial\n'],
      [0, 'ran\n'],
    ]);
  });

  it('runs a command after a line condition only when the one before printed that line', () => {
    const acquired = cmd('printf "x=1\\nlock=acquired\\n"');
    const held = cmd('printf "lock=held\\nholder=lock=acquired-not\\n"');
    const next = cmd('echo preflight');
    const when = { line: 'lock=acquired' };
    expect(runLocally(acquired, [{ cmd: next, when }]).map((r) => r.stdout)).toEqual([
      'x=1\nlock=acquired\n',
      'preflight\n',
    ]);
    expect(runLocally(held, [{ cmd: next, when }]).map((r) => r.stdout)).toEqual([
      'lock=held\nholder=lock=acquired-not\n',
    ]);
  });

  it('keeps a command that exits, or reads no stdin, from ending or feeding the next', () => {
    const exits = cmd('exit 0; echo never');
    const reads = cmd('cat; echo "[$1]"', ['z']);
    const results = runLocally(exits, [{ cmd: reads, when: 'ok' }]);
    expect(results.map((r) => [r.code, r.stdout])).toEqual([
      [0, ''],
      [0, '[z]\n'],
    ]);
  });

  it('refuses two commands that both read stdin', () => {
    expect(() => chainCommand(cmd('cat', [], 'a'), [{ cmd: cmd('cat', [], 'b'), when: 'ok' }], tag)).toThrow(
      'stdin',
    );
  });

  it('hands back what a chain cut off mid-way printed, with its exit code', () => {
    const cut = splitChainResult(
      { code: -1, signal: 'KILL', stdout: `one\n@@${tag}:0@@\npart`, stderr: `\n@@${tag}@@\nerr` },
      tag,
      2,
    );
    expect(cut).toEqual([
      { code: 0, signal: null, stdout: 'one', stderr: '' },
      { code: -1, signal: 'KILL', stdout: 'part', stderr: 'err' },
    ]);
  });
});
