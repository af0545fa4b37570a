// Bundles the Node side: the CLI (dist/cli), the Electron main process (dist/electron), the web console
// (dist/web) and the worker threads beside each. No transpiler runs when they start.
//   node scripts/build-main.js          everything (`npm run build:main`, the `prepare` script at `npm ci`)
//   node scripts/build-main.js cli      the CLI only (`npm run build:cli`; bin/edgefleet.js when sources changed)
//   node scripts/build-main.js web      the web console only (the e2e tests' global setup)
// Native and heavy packages stay external (the packaged app ships them, native ones rebuilt for Electron by
// electron-builder) and are loaded on first use (lazyNativePlugin), so `--help` or `models list` never pay for
// ONNX Runtime, sharp, ssh2, yaml or pino.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { writeThirdPartyNotices } from './third-party-notices.js';

// esbuild is a dev dependency: an install without them (`npm ci --omit=dev`, which still runs `prepare`) uses
// the bundles it was shipped with.
let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  if (process.env.npm_lifecycle_event === 'prepare') {
    console.log('esbuild is not installed (production install): keeping the shipped dist/ bundles.');
    process.exit(0);
  }
  console.error('error: esbuild is not installed. Run `npm ci` (with dev dependencies) first.');
  process.exit(1);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const nativeModuleFile = fileURLToPath(new URL('../main/core/runtime/native-module.ts', import.meta.url));

/** Loaded on first property access; every other package is bundled or external as its build says. */
const lazyPackages = ['onnxruntime-node', 'sharp', 'ssh2', 'yaml', 'pino'];

/**
 * Replaces `import … from '<package>'` with a CommonJS stand-in whose exports are getters that load the real
 * package (through main/core/runtime/native-module.ts: a missing module or wrong ABI becomes one
 * NATIVE_MODULE_UNAVAILABLE error naming `npm rebuild`). The export names are read from the package here, at
 * build time; a package that cannot load now is loaded eagerly instead (its error then shows at start).
 */
function lazyNativePlugin() {
  const filter = new RegExp(`^(${lazyPackages.join('|')})$`);
  return {
    name: 'lazy-native',
    setup(b) {
      // A dynamic import() is lazy already, and esbuild's code splitting would hand it only the stand-in's
      // default export: it stays a plain external import.
      b.onResolve({ filter }, (args) =>
        args.namespace === 'lazy-native' || args.kind === 'dynamic-import'
          ? { path: args.path, external: true }
          : { path: args.path, namespace: 'lazy-native' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-native' }, (args) => {
        const name = args.path;
        const head =
          `const { loadNativeModule } = require(${JSON.stringify(nativeModuleFile)});\n` +
          `let real;\n` +
          `const load = () => (real ??= loadNativeModule(${JSON.stringify(name)}, () => require(${JSON.stringify(name)})));\n`;
        let keys;
        try {
          const mod = require(name);
          keys = Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule');
          if (typeof mod === 'function') {
            // sharp: the package is a function; the stand-in calls through and forwards its statics.
            const getters = keys.map(
              (k) =>
                `Object.defineProperty(fn, ${JSON.stringify(k)}, { get: () => load()[${JSON.stringify(k)}], enumerable: true });`,
            );
            return {
              contents: `${head}function fn(...args) { return load()(...args); }\n${getters.join('\n')}\nmodule.exports = fn;\n`,
              loader: 'js',
              resolveDir: root,
            };
          }
        } catch {
          return { contents: `${head}module.exports = load();\n`, loader: 'js', resolveDir: root };
        }
        const getters = keys.map(
          (k) => `  get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; },`,
        );
        return {
          contents: `${head}module.exports = {\n${getters.join('\n')}\n};\n`,
          loader: 'js',
          resolveDir: root,
        };
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  plugins: [lazyNativePlugin()],
  // The lazy stand-ins call require() on external packages; an ES module has none of its own.
  banner: {
    js: "import { createRequire as __edgefleetCreateRequire } from 'node:module';\nconst require = __edgefleetCreateRequire(import.meta.url);",
  },
};

/**
 * Builds, then writes each output file in one step (a temporary file renamed over the old one): a command or a
 * test that starts while `npm start` or a test setup rebuilds never reads a missing or half-written chunk.
 * Resolves to the paths written.
 */
async function buildAtomically(options) {
  const result = await build({ ...options, write: false });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  return { paths: result.outputFiles.map((f) => f.path), metafile: result.metafile };
}

function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

const esm = (entry, outfile) =>
  buildAtomically({ ...common, format: 'esm', entryPoints: [entry], outfile, metafile: true });

/**
 * The CLI also bundles its pure-JavaScript packages: resolving and reading ~600 small module files (zod,
 * protobuf, csv, yaml) costs more at start than parsing them from one file. Packages with compiled parts, or
 * that load files of their own at run time, stay in node_modules.
 */
const cliExternal = [
  'better-sqlite3',
  'onnxruntime-node',
  'sharp',
  'ssh2',
  'cpu-features',
  '@tensorflow/*',
  'zstd-codec',
  'pino',
];
/**
 * zod re-exports every locale (~50 languages, ~170 kB minified) through `z.locales`; EdgeFleet only uses the
 * English messages zod configures by default, so the CLI bundle carries that one and parses less at start.
 */
function zodEnglishOnlyPlugin() {
  return {
    name: 'zod-english-only',
    setup(b) {
      b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
        /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
          ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};\n`,
        loader: 'js',
        resolveDir: root,
      }));
    },
  };
}

const cliEsm = (entry, outdir) =>
  buildAtomically({
    ...common,
    packages: undefined,
    external: cliExternal,
    plugins: [...common.plugins, zodEnglishOnlyPlugin()],
    metafile: true,
    format: 'esm',
    entryPoints: [entry],
    outdir,
    // Dynamic imports become chunks loaded when a command needs them (main/cli/cli-context.ts).
    splitting: true,
    // Beside main.js: a chunk that starts a worker finds `<name>.js` next to itself (start-worker.ts).
    chunkNames: '[name]-[hash]',
    // Half the bytes to read, decode and parse at every start; stack traces still map through the source map.
    minify: true,
    keepNames: true,
    charset: 'ascii',
  });

// Worker threads start from files beside the bundle that starts them (main/core/workers/start-worker.ts).
const workers = { 'optimize-worker': 'main/core/optimize/optimize-worker.ts' };
const withWorkers = (dir) => Object.entries(workers).map(([name, entry]) => esm(entry, `${dir}/${name}.js`));

const cli = async () => {
  const dir = fileURLToPath(new URL('../dist/cli', import.meta.url));
  const builds = await Promise.all([cliEsm('main/cli/main.ts', 'dist/cli'), ...withWorkers('dist/cli')]);
  // The repository files the bundle and its workers were built from: bin/bundle-freshness.js checks only these.
  const sources = join(dir, 'sources.json');
  const inputs = [...new Set(builds.flatMap((b) => Object.keys(b.metafile.inputs)))]
    .filter((path) => !path.includes('node_modules') && !path.includes(':'))
    .sort();
  writeAtomically(sources, `${JSON.stringify(inputs, null, 1)}\n`);
  const written = new Set([sources, ...builds.flatMap((b) => b.paths)]);
  // Chunk names carry a content hash: the ones this build did not write are stale.
  for (const name of readdirSync(dir)) {
    // Another build's file in the middle of its rename is not ours to remove.
    if (name.endsWith('.tmp') || written.has(join(dir, name))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
};

const web = () => [esm('main/host/web-main.ts', 'dist/web/web-main.js'), ...withWorkers('dist/web')];

const only = process.argv[2];
if (only !== undefined && only !== 'cli' && only !== 'web') {
  console.error(`usage: node scripts/build-main.js [cli|web]`);
  process.exit(2);
}

await Promise.all(
  only === 'cli'
    ? [cli()]
    : only === 'web'
      ? web()
      : [
          cli(),
          ...web(),
          esm('main/electron/main.ts', 'dist/electron/main.js'),
          ...withWorkers('dist/electron'),
          // A sandboxed preload must be one CommonJS file that requires nothing but electron.
          buildAtomically({
            ...common,
            plugins: [],
            banner: undefined,
            packages: undefined,
            external: ['electron'],
            format: 'cjs',
            entryPoints: ['main/preload/preload.ts'],
            outfile: 'dist/electron/preload.cjs',
          }),
        ],
);
if (only === undefined) writeThirdPartyNotices();
