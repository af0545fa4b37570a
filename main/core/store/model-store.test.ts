import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelStore } from './model-store';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'ef-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ModelStore', () => {
  it('stores content under its sha256 once', async () => {
    const store = new ModelStore(tempDir());
    const bytes = new TextEncoder().encode('model bytes');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const first = await store.put(bytes);
    expect(first).toEqual({ sha256: sha, path: join(store.dir, `${sha}.onnx`), created: true });
    expect(readFileSync(first.path, 'utf8')).toBe('model bytes');
    const second = await store.put(bytes);
    expect(second.created).toBe(false);
    expect(readdirSync(store.dir)).toEqual([`${sha}.onnx`]);
    expect(await store.remove(sha)).toBe(true);
    expect(await store.has(sha)).toBe(false);
    expect(await store.remove(sha)).toBe(false);
  });

  it("sweeps temp files of writes a gone process left, never a live process's", () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid ?? 0;
    writeFileSync(join(dir, `.incoming-${gone}-1700000000000-abcdef`), 'half');
    // The parent (the test runner) is alive: its write in progress stays.
    const live = `.incoming-${process.ppid}-1700000000000-abcdef`;
    writeFileSync(join(dir, live), 'being written');
    // A name without an owner (an older EdgeFleet's) goes once it is a day old.
    writeFileSync(join(dir, '.incoming-deadbeef'), 'half');
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    utimesSync(join(dir, '.incoming-deadbeef'), dayAgo, dayAgo);
    new ModelStore(dir);
    expect(readdirSync(dir)).toEqual([live]);
  });

  it('refuses names that are not a sha256', () => {
    const store = new ModelStore(tempDir());
    expect(() => store.pathFor('../../etc/passwd')).toThrow(/not a sha256/);
  });
});
