import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/fixtures/temp-dir';
import { FileGrants } from './file-grants';
import { ownedTempName, processDirName, sweepOwnedTemps, tempOwner } from './owned-temp';

/** A pid that was just used and has exited. */
function gonePid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid ?? 0;
}

describe('temporary names owned by a process', () => {
  it('carry the pid and the process start time', () => {
    const name = ownedTempName('.incoming-');
    expect(tempOwner(name, '.incoming-')).toMatchObject({ pid: process.pid });
    expect(tempOwner(processDirName('p'), 'p')).toMatchObject({ pid: process.pid });
    expect(tempOwner('.incoming-deadbeef', '.incoming-')).toBeNull();
  });

  it("removes what a gone process left and anything a day old, never a live process's", () => {
    const dir = tempDir('ef-owned-');
    const dead = `p${gonePid()}-1700000000000`;
    const live = `p${process.ppid}-1700000000000`;
    const old = `p${process.ppid}-1600000000000`;
    for (const name of [dead, live, old, 'unrelated']) mkdirSync(join(dir, name));
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    utimesSync(join(dir, old), dayAgo, dayAgo);
    expect(sweepOwnedTemps(dir, 'p').sort()).toEqual([dead, old].sort());
    expect(readdirSync(dir).sort()).toEqual([live, 'unrelated'].sort());
  });
});

describe('upload staging shared by processes on one data directory', () => {
  it("stages under this process's own folder and leaves another running process's uploads alone", () => {
    const root = tempDir('ef-staging-');
    const other = join(root, `p${process.ppid}-1700000000000`);
    mkdirSync(other);
    writeFileSync(join(other, 'model.onnx'), 'staged by the running app');
    const dead = join(root, `p${gonePid()}-1700000000000`);
    mkdirSync(dead);
    writeFileSync(join(dead, 'model.onnx'), 'never imported');
    new FileGrants(root);
    expect(existsSync(join(other, 'model.onnx'))).toBe(true);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(join(root, processDirName('p')))).toBe(true);
  });
});
