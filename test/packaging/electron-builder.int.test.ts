import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../fixtures/repo-path';
import { tempDir } from '../fixtures/temp-dir';

/**
 * What `electron-builder` would put into the desktop package, checked here without downloading Electron:
 * the real electron-builder packs the real bundles and node_modules into a real asar archive, given a stand-in
 * Electron distribution (one script) instead of the binary. Rebuilding native modules for Electron's ABI and
 * flipping the fuses need the real binary and its headers, so those two are switched off for this run and
 * checked as configuration instead.
 */

const require = createRequire(import.meta.url);
type Asar = {
  listPackage(archive: string, options?: object): string[];
  statFile(archive: string, filename: string): { unpacked?: boolean };
  extractFile(archive: string, filename: string): Buffer;
};
const asar = require('@electron/asar') as Asar;
type Validate = (config: unknown, debugLogger: { isEnabled: boolean; add(): void }) => Promise<void>;
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration: Validate;
};

type BuilderConfig = {
  npmRebuild?: boolean;
  asarUnpack?: string[];
  electronFuses?: Record<string, boolean>;
  files?: string[];
  extraResources?: { from: string; to: string }[];
  linux?: { target?: string[] };
  mac?: { target?: string[] };
  win?: { target?: string[] };
  [key: string]: unknown;
};

const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
};

let appDir = '';
let entries: string[] = [];
let archive = '';

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

beforeAll(() => {
  // The bundles the package is made of (`npm run build`).
  run([join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn']);
  run(['scripts/build-main.js']);
  const work = tempDir('ef-package-');
  const electronDist = join(work, 'electron-dist');
  spawnSync('mkdir', ['-p', electronDist]);
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  const derived = join(work, 'electron-builder.yml');
  writeFileSync(
    derived,
    stringify({
      ...config,
      electronDist,
      npmRebuild: false,
      electronFuses: null,
      directories: { ...(config.directories as object), output: join(work, 'release') },
    }),
  );
  run([
    join(repoRoot, 'node_modules/electron-builder/cli.js'),
    '--linux',
    'dir',
    '--projectDir',
    repoRoot,
    '--config',
    derived,
    '--publish',
    'never',
  ]);
  appDir = join(work, 'release', 'linux-unpacked');
  archive = join(appDir, 'resources', 'app.asar');
  entries = asar.listPackage(archive);
}, 900_000);

const packagesIn = (files: string[]) =>
  new Set(files.flatMap((f) => /^\/node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)\//.exec(f)?.[1] ?? []));

describe('electron-builder.yml', () => {
  it('is valid for electron-builder, with installers for Linux, Windows and macOS', async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add() {} })).resolves.toBeUndefined();
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.win?.target).toContain('nsis');
    expect(config.mac?.target).toContain('dmg');
  });

  it('rebuilds native modules for Electron and sets the fuses (RunAsNode only for the benchmark child)', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: true,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: true,
    });
    // The reason RunAsNode stays on is still true: the benchmark child is started with it.
    expect(readFileSync(join(repoRoot, 'main/core/bench/runner/run-child.ts'), 'utf8')).toContain(
      "ELECTRON_RUN_AS_NODE: '1'",
    );
  });
});

describe('the package', () => {
  it('holds the bundles, the UI and the entry point package.json names', () => {
    for (const file of [
      `/${packageJson.main}`,
      '/dist/electron/preload.cjs',
      '/dist/electron/optimize-worker.js',
      '/dist/web/web-main.js',
      '/dist/cli/main.js',
      '/dist/renderer/index.html',
      '/package.json',
    ])
      expect(entries).toContain(file);
  });

  it('holds no sources, tests, benchmarks or source maps', () => {
    const own = entries.filter((f) => !f.startsWith('/node_modules/'));
    expect(own.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(own.filter((f) => /\.tsx?$/.test(f))).toEqual([]);
    expect(own.filter((f) => /^\/(main|shared|renderer|test|bench|e2e|scripts|docs)(\/|$)/.test(f))).toEqual(
      [],
    );
    expect(own.filter((f) => /\.(test|spec)\./.test(f))).toEqual([]);
  });

  it('holds every runtime dependency and nothing only the development tools need', () => {
    const packed = packagesIn(entries);
    for (const name of Object.keys(packageJson.dependencies)) expect(packed).toContain(name);
    // Dev-only = a name@version package-lock.json has only as dev. Names alone are not enough: electron-builder
    // hoists a runtime package's own copy (yargs under tfjs) to a name the dev tools also use at the top.
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; dev?: boolean }>;
    };
    const id = (path: string, version?: string) =>
      `${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${version}`;
    const locked = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));
    const runtime = new Set(locked.filter(([, m]) => !m.dev).map(([path, m]) => id(path, m.version)));
    const devOnly = new Set(
      locked
        .filter(([path, m]) => m.dev && !runtime.has(id(path, m.version)))
        .map(([p, m]) => id(p, m.version)),
    );
    for (const name of ['tsx', 'esbuild', 'vite', 'vitest', 'electron', 'typescript'])
      expect([...devOnly].some((d) => d.startsWith(`${name}@`))).toBe(true);
    const packedIds = [...packed].map((name) => {
      const pkg = JSON.parse(asar.extractFile(archive, `node_modules/${name}/package.json`).toString()) as {
        version: string;
      };
      return `${name}@${pkg.version}`;
    });
    expect(packedIds.filter((p) => devOnly.has(p))).toEqual([]);
  });

  it('keeps every compiled file (addons, shared libraries) outside the asar, where it can be loaded', () => {
    const compiled = entries.filter((f) => /\.node$|\.so(\.\d+)*$|\.dylib$|\.dll$/.test(f));
    expect(compiled.length).toBeGreaterThan(0);
    const inside = compiled.filter((f) => asar.statFile(archive, f.slice(1)).unpacked !== true);
    expect(inside).toEqual([]);
    for (const f of compiled)
      expect(existsSync(join(appDir, 'resources', 'app.asar.unpacked', f))).toBe(true);
    for (const name of ['better-sqlite3', 'onnxruntime-node', 'ssh2', 'sharp'])
      expect(compiled.some((f) => f.includes(`/${name === 'sharp' ? '@img/sharp-' : name}`))).toBe(true);
  });

  it('carries the licenses of what it ships', () => {
    const notices = readFileSync(join(appDir, 'resources', 'THIRD_PARTY_NOTICES.txt'), 'utf8');
    for (const name of Object.keys(packageJson.dependencies))
      expect(notices).toMatch(new RegExp(`^${name} `, 'm'));
    expect(notices).not.toMatch(/^(tsx|esbuild|vite|electron) /m);
    expect(notices).not.toContain('— UNKNOWN');
  });
});
