import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleIsStale } from '../../bin/bundle-freshness.js';
import { tempDir } from '../fixtures/temp-dir';

/** A checkout in miniature: each file written with its modification time (seconds since the epoch). */
function checkout(files: Record<string, number>): string {
  const root = tempDir();
  for (const [path, mtime] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    utimesSync(full, mtime, mtime);
  }
  return root;
}

const built = 1_000_000;
const base = {
  'dist/cli/main.js': built,
  'scripts/build-main.js': built - 10,
  'main/cli/main.ts': built - 10,
  'main/core/a.ts': built - 10,
  'shared/b.ts': built - 10,
};

describe('bundleIsStale', () => {
  it('is stale without a bundle, and never in an installed package (no sources beside it)', () => {
    expect(bundleIsStale(checkout({ 'main/cli/main.ts': built }))).toBe(true);
    expect(bundleIsStale(checkout({ 'dist/cli/main.js': built, 'scripts/build-main.js': built + 10 }))).toBe(
      false,
    );
  });

  it('with the list the build wrote: stale when a listed source is newer or gone, or the build script changed', () => {
    const root = checkout(base);
    const list = (files: string[]) =>
      writeFileSync(join(root, 'dist/cli/sources.json'), JSON.stringify(files));
    list(['main/cli/main.ts', 'main/core/a.ts']);
    expect(bundleIsStale(root)).toBe(false);
    // Not listed (not part of the bundle): its changes do not matter.
    utimesSync(join(root, 'shared/b.ts'), built + 10, built + 10);
    expect(bundleIsStale(root)).toBe(false);
    utimesSync(join(root, 'main/core/a.ts'), built + 10, built + 10);
    expect(bundleIsStale(root)).toBe(true);
    utimesSync(join(root, 'main/core/a.ts'), built - 10, built - 10);
    rmSync(join(root, 'main/cli/main.ts'));
    expect(bundleIsStale(root)).toBe(true);
    list(['main/core/a.ts']);
    expect(bundleIsStale(root)).toBe(false);
    utimesSync(join(root, 'scripts/build-main.js'), built + 10, built + 10);
    expect(bundleIsStale(root)).toBe(true);
  });

  it('without the list: any newer non-test .ts under main/ or shared/', () => {
    const root = checkout({ ...base, 'main/core/x.test.ts': built + 10 });
    expect(bundleIsStale(root)).toBe(false);
    utimesSync(join(root, 'shared/b.ts'), built + 10, built + 10);
    expect(bundleIsStale(root)).toBe(true);
  });
});
