import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  exitCodes,
  lockScript,
  installScript,
  parseKeyValues,
  peekScript,
  preflightScript,
  pruneScript,
  switchScript,
  undoSwitchScript,
  verifyScript,
} from './remote-scripts';

/**
 * The device scripts run here under dash (Debian's /bin/sh, the strictest common POSIX shell), the way
 * `exec({ script, args })` runs them on a device: `sh -c <script> edgefleet <args…>`. The SSH tests cover
 * them end to end; these cover what a test device cannot show: other hash tools, and edge cases.
 */

const work = mkdtempSync(join(tmpdir(), 'edgefleet-scripts-test-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

function sh(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', script, 'edgefleet', ...args], { encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Where this machine's `program` is. */
function realProgram(program: string): string {
  const real = spawnSync('/bin/sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim();
  if (real === '') throw new Error(`${program} is not installed`);
  return real;
}

/** A PATH holding only these programs (symlinks to the real ones). */
function pathWith(name: string, programs: string[]): string {
  const dir = join(work, `bin-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const p of programs) symlinkSync(realProgram(p), join(dir, p));
  return dir;
}

describe('verify: sha256 with whatever tool the device has', () => {
  const file = join(work, 'model.onnx');
  const bytes = Buffer.from('pretend this is a model\n'.repeat(1000));
  writeFileSync(file, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');

  it.each([
    ['sha256sum', ['awk', 'rm', 'sha256sum']],
    ['shasum', ['awk', 'rm', 'perl', 'shasum']],
    ['openssl', ['awk', 'rm', 'openssl']],
  ])('uses %s', (name, programs) => {
    const r = sh(verifyScript, [file, sha], { PATH: pathWith(name, programs) });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(parseKeyValues(r.stdout).values.get('sha256')).toBe(sha);
  });

  it('skips a tool that gives no valid answer', () => {
    const dir = pathWith('broken-openssl', ['awk', 'rm', 'sha256sum']);
    writeFileSync(join(dir, 'openssl'), '#!/bin/sh\necho "FIPS: digest disabled"\n', { mode: 0o755 });
    const r = sh(verifyScript, [file, sha], { PATH: dir });
    expect(r.code).toBe(0);
    expect(parseKeyValues(r.stdout).values.get('sha256')).toBe(sha);
  });

  it('says so when there is no tool at all', () => {
    const r = sh(verifyScript, [file, sha], { PATH: pathWith('none', ['awk', 'rm']) });
    expect(r.code).toBe(exitCodes.noHasher);
    expect(r.stderr).toMatch(/none of openssl, sha256sum or shasum/);
  });

  it('removes a file with the wrong hash and exits 31', () => {
    const bad = join(work, 'bad.onnx');
    writeFileSync(bad, 'x');
    const r = sh(verifyScript, [bad, sha]);
    expect(r.code).toBe(exitCodes.checksumMismatch);
    expect(existsSync(bad)).toBe(false);
  });
});

describe('switch, undo and prune on a model directory', () => {
  const md = join(work, "model dir 'x'");
  const release = (name: string): void => {
    mkdirSync(join(md, 'releases', name), { recursive: true });
    writeFileSync(join(md, 'releases', name, 'model.onnx'), name);
  };

  it('switches atomically, records the state before, and undoes exactly', () => {
    release('r1');
    release('r2');
    expect(sh(switchScript, [md, 'r1', 'd_t'])).toMatchObject({ code: 0 });
    expect(sh(switchScript, [md, 'r2', 'd_t']).stdout).toContain('switched=yes');
    expect([readlinkSync(join(md, 'current')), readlinkSync(join(md, 'previous'))]).toEqual([
      'releases/r2',
      'releases/r1',
    ]);
    expect(sh(switchScript, [md, 'r2', 'd_t']).stdout).toContain('switched=no');

    // Undo refuses when the record is for another release, then restores.
    expect(sh(undoSwitchScript, [md, 'r1', 'd_t']).code).toBe(exitCodes.undoRefused);
    const undo = sh(undoSwitchScript, [md, 'r2', 'd_t']);
    expect(undo.code).toBe(0);
    expect(readlinkSync(join(md, 'current'))).toBe('releases/r1');
    expect(existsSync(join(md, 'previous'))).toBe(false);
    expect(existsSync(join(md, '.undo'))).toBe(false);
    expect(sh(undoSwitchScript, [md, 'r2', 'd_t']).code).toBe(exitCodes.undoRefused);
  });

  it('confirms and prunes in the switch itself when given how many releases to keep', () => {
    const kd = join(work, 'keep');
    for (const [i, n] of ['k1', 'k2', 'k3'].entries()) {
      mkdirSync(join(kd, 'releases', n), { recursive: true });
      writeFileSync(join(kd, 'releases', n, 'model.onnx'), n);
      spawnSync('touch', ['-d', `@${1_700_000_000 + i}`, join(kd, 'releases', n)]);
    }
    expect(sh(switchScript, [kd, 'k1', 'd_t', '3']).stdout).not.toContain('removed=');
    // k3 current, k1 previous, k2 the oldest beyond 1 kept.
    expect(sh(switchScript, [kd, 'k3', 'd_t', '1']).stdout).toContain('removed=k2');
    expect(existsSync(join(kd, '.undo'))).toBe(false);
    expect(['k1', 'k2', 'k3'].map((n) => existsSync(join(kd, 'releases', n)))).toEqual([true, false, true]);
  });

  it('refuses what is not a release, and a current that is not a link', () => {
    expect(sh(switchScript, [md, 'missing', 'd_t']).code).toBe(exitCodes.releaseMissing);
    expect(sh(switchScript, [md, '../../etc', 'd_t']).code).toBe(exitCodes.releaseMissing);
    const other = join(work, 'other');
    release('r1');
    mkdirSync(join(other, 'releases', 'r1'), { recursive: true });
    writeFileSync(join(other, 'releases', 'r1', 'model.onnx'), 'x');
    mkdirSync(join(other, 'current'));
    expect(sh(switchScript, [other, 'r1', 'd_t']).code).toBe(exitCodes.currentNotLink);
    expect(sh(switchScript, [other, '@previous', 'd_t']).code).toBe(exitCodes.noPrevious);
  });

  it('prunes the oldest releases, never current or previous, never foreign names', () => {
    const pd = join(work, 'prune');
    const mk = (name: string, age: number): void => {
      mkdirSync(join(pd, 'releases', name), { recursive: true });
      writeFileSync(join(pd, 'releases', name, 'model.onnx'), name);
      spawnSync('touch', ['-d', `@${1_700_000_000 + age}`, join(pd, 'releases', name)]);
    };
    ['a', 'b', 'c', 'd', 'e'].forEach((n, i) => mk(n, i));
    mk('not ours!', 9);
    symlinkSync('releases/a', join(pd, 'previous'));
    symlinkSync('releases/b', join(pd, 'current'));
    writeFileSync(join(pd, '.undo'), 'b\n\n\n');
    const r = sh(pruneScript, [pd, '2']);
    expect(r.code).toBe(0);
    // Newest two (e, d) kept, a and b kept as previous/current, c removed; the foreign one untouched.
    expect(r.stdout.trim().split('\n')).toEqual(['removed=c']);
    expect(['a', 'b', 'c', 'd', 'e', 'not ours!'].map((n) => existsSync(join(pd, 'releases', n)))).toEqual([
      true,
      true,
      false,
      true,
      true,
      true,
    ]);
    expect(existsSync(join(pd, '.undo'))).toBe(false);
  });
});

describe('device lock: one deployment per deploy root', () => {
  const root = join(work, 'lock root');
  const lock = (id: string, mode: string, expected?: string) =>
    parseKeyValues(
      sh(lockScript, [root, id, 'det', mode, ...(expected === undefined ? [] : [expected])]).stdout,
    ).values;

  it('is taken by one deployment; the other sees the holder, its model and how long it has been idle', () => {
    expect(lock('d_a', 'acquire').get('lock')).toBe('acquired');
    expect(
      readFileSync(join(root, '.edgefleet-lock', 'owner'), 'utf8')
        .split('\n')
        .slice(0, 1),
    ).toEqual(['d_a']);
    const held = lock('d_b', 'acquire');
    expect(Object.fromEntries(held)).toMatchObject({ lock: 'held', holder: 'd_a', holder_model: 'det' });
    expect(Number(held.get('idle_s'))).toBeGreaterThanOrEqual(0);
    // The holder itself may take it again (a resumed run); refresh and release touch only its own lock.
    expect(lock('d_a', 'acquire').get('lock')).toBe('acquired');
    expect(lock('d_b', 'refresh').get('lock')).toBe('lost');
    expect(lock('d_b', 'release').get('lock')).toBe('not_ours');
    expect(lock('d_a', 'refresh').get('lock')).toBe('refreshed');
    expect(lock('d_a', 'release').get('lock')).toBe('released');
    expect(readdirSync(root)).toEqual([]);
  });

  it('is taken over only from the holder the caller checked', () => {
    expect(lock('d_old', 'acquire').get('lock')).toBe('acquired');
    // Checked d_gone, but d_old holds it: nothing changes.
    expect(Object.fromEntries(lock('d_new', 'takeover', 'd_gone'))).toMatchObject({
      lock: 'held',
      holder: 'd_old',
    });
    expect(lock('d_new', 'takeover', 'd_old').get('lock')).toBe('taken_over');
    expect(lock('d_old', 'acquire').get('holder')).toBe('d_new');
    // The old holder, come back, cannot release what is no longer its lock.
    expect(lock('d_old', 'release').get('lock')).toBe('not_ours');
    expect(lock('d_new', 'release').get('lock')).toBe('released');
    expect(readdirSync(root)).toEqual([]);
  });

  it('is won by exactly one of many deployments that found the same holder stale at once', async () => {
    // The winner says taken_over, or acquired when it found the lock dir gone between another's rename and mkdir.
    const raceRoot = join(work, 'lock race');
    for (let round = 0; round < 3; round++) {
      rmSync(raceRoot, { recursive: true, force: true });
      const acquired = parseKeyValues(sh(lockScript, [raceRoot, 'd_dead', 'det', 'acquire']).stdout).values;
      expect(acquired.get('lock')).toBe('acquired');
      const runs = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            new Promise<string>((done) => {
              const child = spawn('/bin/sh', [
                '-c',
                lockScript,
                'edgefleet',
                raceRoot,
                `d_${i}`,
                'det',
                'takeover',
                'd_dead',
              ]);
              let out = '';
              child.stdout.on('data', (b: Buffer) => (out += b.toString()));
              child.on('close', () => done(out));
            }),
        ),
      );
      const winners = runs
        .map((out, i) => ({ id: `d_${i}`, lock: parseKeyValues(out).values.get('lock') }))
        .filter((r) => r.lock === 'taken_over' || r.lock === 'acquired');
      expect(winners).toHaveLength(1);
      const owner = readFileSync(join(raceRoot, '.edgefleet-lock', 'owner'), 'utf8').split('\n')[0];
      expect(owner).toBe(winners[0]!.id);
      expect(readdirSync(raceRoot)).toEqual(['.edgefleet-lock']);
    }
  });
});

describe('preflight: temporary names carry the deployment id', () => {
  it("removes other deployments' leftovers, never its own", () => {
    const md = join(work, 'pre', 'det');
    mkdirSync(join(md, 'releases'), { recursive: true });
    for (const name of ['releases/.incoming-d_old-r1', 'releases/.incoming-d_me-r1', '.undo.d_old.tmp'])
      writeFileSync(join(md, name), 'x');
    symlinkSync('releases/r0', join(md, '.link-d_old-current'));
    symlinkSync('releases/r0', join(md, '.link-d_me-current'));
    const r = sh(preflightScript, [md, 'r1', '1', 'd_me']);
    expect(r.code).toBe(0);
    expect(parseKeyValues(r.stdout).values.get('removed_temp')).toBe('3');
    expect(readdirSync(join(md, 'releases')).sort()).toEqual(['.incoming-d_me-r1']);
    expect(
      readdirSync(md)
        .filter((n) => n.startsWith('.'))
        .sort(),
    ).toEqual(['.link-d_me-current']);
  });
});

describe('sha256 cache: a release file unchanged since it was verified is not hashed again', () => {
  const bytes = Buffer.alloc(4096, 7);
  const other = Buffer.alloc(bytes.length, 9);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  /** A model directory with release r1 installed (install script, verified sha256 given). */
  function installed(name: string) {
    const root = join(work, 'cache', name);
    const md = join(root, 'det');
    const rel = join(md, 'releases', 'r1');
    const lockDir = join(root, '.edgefleet-lock');
    mkdirSync(md, { recursive: true });
    const upload = join(root, 'upload.tmp');
    writeFileSync(upload, bytes);
    const r = spawnSync('/bin/sh', ['-c', installScript, 'edgefleet', upload, rel, sha(bytes)], {
      input: '{"format":"edgefleet-release/1"}\n',
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const preflight = (mode: 'hash' | 'rehash' = 'hash') => {
      const p = sh(preflightScript, [md, 'r1', String(bytes.length), 'd_me', mode]);
      expect(p.code, p.stderr).toBe(0);
      return parseKeyValues(p.stdout).values;
    };
    const peek = () => {
      const p = sh(peekScript, [md, 'r1', String(bytes.length), lockDir]);
      expect(p.code, p.stderr).toBe(0);
      return parseKeyValues(p.stdout);
    };
    return { rel, file: join(rel, 'model.onnx'), lockDir, preflight, peek };
  }

  it('install records the verified sha256; preflight and peek then read it from the cache', () => {
    const d = installed('fresh');
    expect(readFileSync(join(d.rel, '.sha256-cache'), 'utf8')).toMatch(new RegExp(`^${sha(bytes)} \\d+ `));
    const pre = d.preflight();
    expect(pre.get('release_sha256')).toBe(sha(bytes));
    expect(pre.get('sha256_from')).toBe('cache');
    const seen = d.peek();
    expect(seen.values.get('release_sha256')).toBe(sha(bytes));
    expect(seen.values.get('locked')).toBeUndefined();
    expect(seen.manifest).toContain('edgefleet-release/1');
  });

  it('a rewritten file of the same size is hashed again (its ctime moved), and the cache follows', () => {
    const d = installed('rewritten');
    writeFileSync(d.file, other);
    expect(d.peek().values.get('release_sha256')).toBeUndefined();
    const pre = d.preflight();
    expect(pre.get('release_sha256')).toBe(sha(other));
    expect(pre.get('sha256_from')).toBeUndefined();
    expect(d.preflight().get('sha256_from')).toBe('cache');
  });

  it('a cache line for another signature is ignored; rehash never reads the cache', () => {
    const d = installed('forged');
    writeFileSync(join(d.rel, '.sha256-cache'), `${sha(other)} 1 2.0 3.0 4 5\n`);
    const pre = d.preflight();
    expect(pre.get('release_sha256')).toBe(sha(bytes));
    expect(pre.get('sha256_from')).toBeUndefined();
    const again = d.preflight('rehash');
    expect(again.get('sha256_from')).toBeUndefined();
    expect(again.get('release_sha256')).toBe(sha(bytes));
  });

  it('peek says when a deployment holds the device lock', () => {
    const d = installed('locked');
    mkdirSync(d.lockDir);
    expect(d.peek().values.get('locked')).toBe('1');
  });
});

describe('release state: one stat run, or program by program where stat answers otherwise', () => {
  const bytes = Buffer.alloc(2048, 3);
  const sha = createHash('sha256').update(bytes).digest('hex');
  /** A PATH whose `stat` quotes names as BusyBox does ('name' -> 'target'): the one-run answer is refused. */
  function quotingStat(): string {
    const dir = join(work, 'bin-quoting-stat');
    mkdirSync(dir, { recursive: true });
    const real = realProgram('stat');
    writeFileSync(join(dir, 'stat'), `#!/bin/sh\nQUOTING_STYLE=shell-always exec ${real} "$@"\n`, {
      mode: 0o755,
    });
    return `${dir}:${process.env.PATH ?? ''}`;
  }

  /** A model directory: release r1 installed (cache and manifest), r0, and the given links. */
  function modelDir(
    name: string,
    links: Record<string, string>,
    manifest = '{"format":"edgefleet-release/1"}\n',
  ) {
    const md = join(work, 'state', name);
    mkdirSync(join(md, 'releases', 'r0'), { recursive: true });
    const upload = join(work, 'state', `${name}.upload`);
    writeFileSync(upload, bytes);
    const r = spawnSync(
      '/bin/sh',
      ['-c', installScript, 'edgefleet', upload, join(md, 'releases', 'r1'), sha],
      {
        input: manifest,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    for (const [link, target] of Object.entries(links)) {
      if (target === '<dir>') mkdirSync(join(md, link));
      else symlinkSync(target, join(md, link));
    }
    return md;
  }

  it.each<[string, Record<string, string>]>([
    ['switched', { current: 'releases/r1', previous: 'releases/r0' }],
    ['first release', { current: 'releases/r1' }],
    ['hand-made targets', { current: 'releases/a b', previous: 'odd\nname' }],
    ['backslash target', { current: 'releases/r\\1' }],
    ['a real directory as current', { current: '<dir>' }],
    ['nothing yet', {}],
  ])('says the same either way: %s', (name, links) => {
    const md = modelDir(name, links);
    const args = [md, 'r1', String(bytes.length), join(work, 'no-lock')];
    const fast = sh(peekScript, args);
    const slow = sh(peekScript, args, { ...process.env, PATH: quotingStat() });
    expect(fast.code, fast.stderr).toBe(0);
    expect(slow).toEqual(fast);
    const { values, manifest } = parseKeyValues(fast.stdout);
    const current = links.current;
    expect(values.get('current')).toBe(
      current === undefined || current === '<dir>' ? '' : /^[\w./ -]+$/.test(current) ? current : '?',
    );
    expect(values.get('release_sha256')).toBe(sha);
    expect(values.get('sha256_from')).toBe('cache');
    expect(manifest).toBe('{"format":"edgefleet-release/1"}\n');
  });

  it('passes a manifest on as written, a last line without newline and a large one included', () => {
    for (const [name, text] of [
      ['no final newline', '{"format":"edgefleet-release/1",\n"x":1}'],
      ['large', `{"pad":"${'x'.repeat(100_000)}"}\n`],
    ] as const) {
      const md = modelDir(`manifest ${name}`, { current: 'releases/r1' }, text);
      const seen = parseKeyValues(
        sh(peekScript, [md, 'r1', String(bytes.length), join(work, 'no-lock')]).stdout,
      );
      expect(seen.manifest?.trimEnd()).toBe(text.trimEnd());
    }
  });
});

describe('what a deploy costs the device in program runs (each a fork and an exec)', () => {
  const programs = [
    'cat',
    'chmod',
    'date',
    'df',
    'ln',
    'ls',
    'mkdir',
    'mv',
    'openssl',
    'readlink',
    'rm',
  ].concat(['stat', 'sync', 'touch', 'uname']);

  /** A PATH of these programs only, each logging its name to `log` before running the real one. */
  function countingPath(name: string, log: string, wrap: Record<string, string> = {}): string {
    const dir = join(work, `counting-${name}`);
    mkdirSync(dir, { recursive: true });
    for (const p of programs) {
      const body = wrap[p] ?? `exec ${realProgram(p)} "$@"`;
      writeFileSync(join(dir, p), `#!/bin/sh\nprintf '%s\\n' ${p} >> '${log}'\n${body}\n`, { mode: 0o755 });
    }
    return dir;
  }
  const runs = (log: string): string[] =>
    existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];

  it('a first deploy (lock, preflight, verify, install, switch that confirms itself, unlock) runs at most 30', () => {
    const root = join(work, 'budget');
    const md = join(root, 'det');
    const log = join(work, 'budget.log');
    const env = { PATH: countingPath('budget', log) };
    const bytes = Buffer.alloc(4096, 5);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const run = (script: string, args: string[], input?: string) => {
      const r = spawnSync('/bin/sh', ['-c', script, 'edgefleet', ...args], { encoding: 'utf8', env, input });
      expect(r.status, r.stderr).toBe(0);
      return parseKeyValues(r.stdout).values;
    };
    expect(run(lockScript, [root, 'd_1', 'det', 'acquire']).get('lock')).toBe('acquired');
    const pre = run(preflightScript, [md, 'r1', String(bytes.length), 'd_1']);
    expect([pre.get('current'), pre.get('hasher'), Number(pre.get('avail_kb')) > 0]).toEqual([
      '',
      'openssl',
      true,
    ]);
    const upload = join(md, 'releases', '.incoming-d_1-r1');
    writeFileSync(upload, bytes);
    expect(run(verifyScript, [upload, sha]).get('sha256')).toBe(sha);
    run(installScript, [upload, join(md, 'releases', 'r1'), sha], '{"format":"edgefleet-release/1"}\n');
    expect(run(switchScript, [md, 'r1', 'd_1', '3']).get('switched')).toBe('yes');
    expect(run(lockScript, [root, 'd_1', 'det', 'release']).get('lock')).toBe('released');
    expect(readlinkSync(join(md, 'current'))).toBe('releases/r1');
    expect(readFileSync(join(md, 'releases', 'r1', 'manifest.json'), 'utf8')).toContain(
      'edgefleet-release/1',
    );
    // The scripts before the trim of 2026-12-07 ran 46 here; the budget keeps a regression from coming back unseen.
    expect(runs(log).length, runs(log).join(' ')).toBeLessThanOrEqual(30);
    // The next deploy's peek reads the release state with one stat run and the sha256 from the cache.
    rmSync(log);
    const peek = run(peekScript, [md, 'r1', String(bytes.length), join(root, '.edgefleet-lock')]);
    expect([peek.get('current'), peek.get('sha256_from')]).toEqual(['releases/r1', 'cache']);
    expect(runs(log)).toEqual(['stat']);
  });

  it('a model directory with nothing in it yet is read with the one stat run too', () => {
    const md = join(work, 'empty model dir');
    mkdirSync(join(md, 'releases'), { recursive: true });
    const log = join(work, 'empty.log');
    const r = spawnSync('/bin/sh', ['-c', peekScript, 'edgefleet', md, 'r1', '10', join(work, 'no-lock')], {
      encoding: 'utf8',
      env: { PATH: countingPath('empty', log) },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(parseKeyValues(r.stdout).values.get('current')).toBe('');
    expect(runs(log)).toEqual(['stat']);
  });

  it('prunes where ls has no -q (BusyBox as Debian builds it)', () => {
    const pd = join(work, 'prune without -q');
    ['a', 'b', 'c', 'd'].forEach((n, i) => {
      mkdirSync(join(pd, 'releases', n), { recursive: true });
      writeFileSync(join(pd, 'releases', n, 'model.onnx'), n);
      spawnSync('touch', ['-d', `@${1_700_000_000 + i}`, join(pd, 'releases', n)]);
    });
    symlinkSync('releases/d', join(pd, 'current'));
    symlinkSync('releases/a', join(pd, 'previous'));
    const log = join(work, 'prune-no-q.log');
    const noQ = `case "$*" in *q*) echo "ls: invalid option -- 'q'" >&2; exit 1 ;; esac\nexec ${realProgram('ls')} "$@"`;
    const r = spawnSync('/bin/sh', ['-c', pruneScript, 'edgefleet', pd, '1'], {
      encoding: 'utf8',
      env: { PATH: countingPath('no-q', log, { ls: noQ }) },
    });
    expect(r.status, r.stderr).toBe(0);
    // d current (and the newest), a previous; b and c beyond the one kept.
    expect(r.stdout.trim().split('\n').sort()).toEqual(['removed=b', 'removed=c']);
    expect(['a', 'b', 'c', 'd'].map((n) => existsSync(join(pd, 'releases', n)))).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });
});
