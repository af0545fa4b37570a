import { execFile, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from '../../test/fixtures/repo-path';
import { tempDir } from '../../test/fixtures/temp-dir';

// The bundle is built by test/fixtures/cli-bundle-setup.ts before this file runs.
const bin = repoPath('bin', 'edgefleet.js');
const heavy = ['onnxruntime-node', 'onnxruntime-common', 'sharp', 'ssh2', '@tensorflow', 'yaml', 'pino'];

/** Runs the command with a preload that writes every CommonJS module file loaded, at exit. */
function loadedModules(args: string[]): { code: number | null; files: string[] } {
  const dir = tempDir();
  const record = join(dir, 'loaded.json');
  const preload = join(dir, 'record.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache))));`,
  );
  const r = spawnSync(process.execPath, ['-r', preload, bin, '--data-dir', join(dir, 'data'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, files: JSON.parse(readFileSync(record, 'utf8')) as string[] };
}

/** Packages whose code ran (reading a package.json for its version number loads nothing). */
const packagesIn = (files: string[]) =>
  new Set(
    files
      .filter((f) => !f.endsWith('/package.json'))
      .flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []),
  );

describe('edgefleet start-up', () => {
  it.each([[['--help']], [['models', 'list']], [['devices', 'list']]])(
    '%j loads neither ONNX Runtime, sharp, ssh2, tfjs, yaml nor pino',
    (args) => {
      const { code, files } = loadedModules(args);
      expect(code).toBe(0);
      const loaded = [...packagesIn(files)];
      for (const name of heavy) expect(loaded.filter((p) => p.startsWith(name))).toEqual([]);
      // The lists do open the database.
      if (args[0] !== '--help') expect(loaded).toContain('better-sqlite3');
    },
  );

  it('a command that opens the services does not load the ONNX parser (protobuf) until it reads a model', () => {
    const dir = repoPath('dist', 'cli');
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    const services = /import\("\.\/(services-[^"]+\.js)"\)/.exec(read('main.js'))?.[1];
    expect(services).toBeDefined();
    // Every chunk main.js and the services chunk load before any code runs: static imports, transitively.
    const loaded = new Set<string>();
    const visit = (name: string) => {
      if (loaded.has(name)) return;
      loaded.add(name);
      for (const m of read(name).matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1]!);
    };
    visit('main.js');
    visit(services!);
    const sources = [...loaded].flatMap(
      (name) => (JSON.parse(read(`${name}.map`)) as { sources: string[] }).sources,
    );
    expect(sources.some((s) => s.includes('main/core/deploy/'))).toBe(true);
    expect(sources.filter((s) => /@bufbuild\/protobuf|onnx-buf|\/yaml\//.test(s))).toEqual([]);
  });

  it("carries zod's English messages only (its other locales are bytes every start would parse)", () => {
    const dir = repoPath('dist', 'cli');
    const code = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect(code).toContain('Invalid input: expected');
    // Indonesian and Dutch messages, as zod ships them.
    expect(code).not.toContain('Input tidak valid');
    expect(code).not.toContain('Ongeldige invoer');
  });

  it('a rebuild never leaves the bundle missing or half-written: commands started meanwhile run', async () => {
    // `npm start` and the test setup rebuild dist/cli while other commands may be starting from it.
    const build = spawn(process.execPath, ['scripts/build-main.js', 'cli'], {
      cwd: repoRoot,
      stdio: 'ignore',
    });
    const built = new Promise<number | null>((resolve) => build.on('exit', resolve));
    let building = true;
    void built.then(() => (building = false));
    const codes: (number | null)[] = [];
    while (building) {
      codes.push(
        await new Promise<number | null>((resolve) =>
          execFile(process.execPath, [repoPath('dist', 'cli', 'main.js'), '--help'], (err) =>
            resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : null),
          ),
        ),
      );
    }
    expect(await built).toBe(0);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((c) => c !== 0)).toEqual([]);
  });

  it('runs the bundle: no TypeScript transpiler is loaded', () => {
    const { files } = loadedModules(['models', 'list']);
    expect(files.some((f) => f.includes('/node_modules/tsx/') || f.includes('/node_modules/esbuild/'))).toBe(
      false,
    );
  });
});
