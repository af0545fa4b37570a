import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  installScript,
  lockScript,
  parseKeyValues,
  peekScript,
  preflightScript,
  switchScript,
  undoSwitchScript,
  verifyScript,
} from './remote-scripts';

/**
 * A device whose shell and every program are BusyBox's (Debian's busybox package: its stat has no
 * nanoseconds and quotes names, its ls has no -q, it has no openssl), the way many small devices are built.
 * The same scripts as under dash must deploy, switch, prune and undo there — without the sha256 cache, which
 * needs nanosecond signatures.
 */

const BUSYBOX = '/usr/bin/busybox';
if (!existsSync(BUSYBOX)) {
  throw new Error(
    `${BUSYBOX} is missing: install Debian's busybox (apt-get install -y busybox; npm test's first step does).`,
  );
}
const work = mkdtempSync(join(tmpdir(), 'edgefleet-busybox-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A PATH holding only BusyBox's applets. */
const applets = join(work, 'bin');
mkdirSync(applets);
for (const name of spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).stdout.split('\n')) {
  if (name !== '') symlinkSync(BUSYBOX, join(applets, name));
}

function device(script: string, args: string[], input?: string) {
  const r = spawnSync(BUSYBOX, ['sh', '-c', script, 'edgefleet', ...args], {
    encoding: 'utf8',
    env: { PATH: applets },
    input,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    values: parseKeyValues(r.stdout).values,
  };
}

function ok(script: string, args: string[], input?: string): Map<string, string> {
  const r = device(script, args, input);
  expect(r.code, r.stderr).toBe(0);
  return r.values;
}

describe('the device scripts on a BusyBox device', () => {
  const root = join(work, 'deploy root');
  const md = join(root, 'det');
  const lockDir = join(root, '.edgefleet-lock');
  const bytesOf = (rel: string) => Buffer.from(`model ${rel}\n`.repeat(500));
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  /** One deployment of `rel`, as the plan runs it on a device with no restart or health command. */
  function deploy(rel: string, keep: string): Map<string, string> {
    const id = `d_${rel}`;
    const bytes = bytesOf(rel);
    expect(ok(lockScript, [root, id, 'det', 'acquire']).get('lock')).toBe('acquired');
    const pre = ok(preflightScript, [md, rel, String(bytes.length), id]);
    expect(pre.get('hasher')).toBe('sha256sum');
    expect(Number(pre.get('avail_kb'))).toBeGreaterThan(0);
    const upload = join(md, 'releases', `.incoming-${id}-${rel}`);
    writeFileSync(upload, bytes);
    expect(ok(verifyScript, [upload, sha(bytes)]).get('sha256')).toBe(sha(bytes));
    ok(installScript, [upload, join(md, 'releases', rel), sha(bytes)], `{"release":"${rel}"}\n`);
    const sw = ok(switchScript, [md, rel, id, keep]);
    expect(ok(lockScript, [root, id, 'det', 'release']).get('lock')).toBe('released');
    return sw;
  }

  it('deploys, reports what runs, prunes beyond what it keeps', () => {
    expect(deploy('r1', '1').get('switched')).toBe('yes');
    expect(readlinkSync(join(md, 'current'))).toBe('releases/r1');
    expect(readFileSync(join(md, 'releases', 'r1', 'manifest.json'), 'utf8')).toBe('{"release":"r1"}\n');

    // BusyBox's stat quotes names: the release state comes from readlink and the shell, the same answer.
    const peek = ok(peekScript, [md, 'r1', String(bytesOf('r1').length), lockDir]);
    expect([peek.get('current'), peek.get('previous'), peek.get('release_size')]).toEqual([
      'releases/r1',
      '',
      String(bytesOf('r1').length),
    ]);
    // No nanosecond signature, so no cache: the peek never hashes, the locked preflight does.
    expect(peek.get('release_sha256')).toBeUndefined();
    const again = ok(preflightScript, [md, 'r1', String(bytesOf('r1').length), 'd_again']);
    expect([again.get('release_sha256'), again.get('sha256_from')]).toEqual([sha(bytesOf('r1')), undefined]);

    deploy('r2', '1');
    // Later activations get later mtimes (BusyBox's ls sorts by whole seconds).
    spawnSync('touch', ['-d', '@1700000000', join(md, 'releases', 'r1')]);
    spawnSync('touch', ['-d', '@1700000100', join(md, 'releases', 'r2')]);
    const third = deploy('r3', '1');
    // r3 current, r2 previous, r1 beyond the one kept: removed, even though BusyBox's ls has no -q.
    expect(third.get('switched')).toBe('yes');
    expect(['r1', 'r2', 'r3'].map((r) => existsSync(join(md, 'releases', r)))).toEqual([false, true, true]);
    expect([readlinkSync(join(md, 'current')), readlinkSync(join(md, 'previous'))]).toEqual([
      'releases/r3',
      'releases/r2',
    ]);
    expect(existsSync(join(md, '.undo'))).toBe(false);
  });

  it('records the state before a switch that waits for a health check, and undoes it exactly', () => {
    const ud = join(work, 'undo', 'det');
    for (const rel of ['u1', 'u2']) {
      mkdirSync(join(ud, 'releases', rel), { recursive: true });
      writeFileSync(join(ud, 'releases', rel, 'model.onnx'), rel);
    }
    ok(switchScript, [ud, 'u1', 'd_u']);
    ok(switchScript, [ud, 'u2', 'd_u']);
    expect(readFileSync(join(ud, '.undo'), 'utf8').split('\n').slice(0, 3)).toEqual([
      'u2',
      'releases/u1',
      '',
    ]);
    expect(ok(undoSwitchScript, [ud, 'u2', 'd_u'])).toEqual(
      new Map([
        ['current', 'releases/u1'],
        ['previous', ''],
      ]),
    );
    expect(readlinkSync(join(ud, 'current'))).toBe('releases/u1');
    expect(existsSync(join(ud, '.undo'))).toBe(false);
  });

  it('refuses a checksum mismatch and removes the upload', () => {
    const bad = join(work, 'bad.onnx');
    writeFileSync(bad, 'not the model');
    const r = device(verifyScript, [bad, sha(bytesOf('r1'))]);
    expect(r.code).toBe(31);
    expect(existsSync(bad)).toBe(false);
  });
});
