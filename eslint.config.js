import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// ---------------------------------------------------------------------------------------------------------------
// Layering (docs/architecture.md, "Rules"). Each room lists what its files must not import; test files
// (*.test.ts, *.int.test.ts, renderer/src/testing/) follow their room's rules except that they may use test/.
// test/lint/layering.test.ts plants a violation of every rule and checks that lint fails on it.

const see = 'See docs/architecture.md, "Rules".';

/** Imports of a directory of the repository by name, from any depth (`../host/x`, `../../main/core`). */
const dirs = (...names) => names.flatMap((name) => [`**/${name}`, `**/${name}/**`]);

const deny = {
  electron: (room) => ({
    paths: [
      { name: 'electron', message: `${room}: only main/electron and main/preload import electron. ${see}` },
    ],
  }),
  node: (room) => ({
    // The whole specifier (a gitignore-style group would also catch a local './events').
    regex: `^(node:.*|(${builtinModules.map((m) => m.replace('/', '\\/')).join('|')})(\\/.*)?)$`,
    message: `${room}: no Node modules here. ${see}`,
  }),
  react: (room) => ({
    group: ['react', 'react-dom', 'react/*', 'react-dom/*'],
    message: `${room}: no React. ${see}`,
  }),
  dirs: (room, names, why) => ({ group: dirs(...names), message: `${room}: ${why} ${see}` }),
  testCode: (room) => ({
    group: [...dirs('test', 'testing'), '**/*.test', '**/*.test.*'],
    message: `${room}: production code never imports tests or test helpers (test/, renderer/src/testing/). ${see}`,
  }),
};

/** One entry per room: its folders, and what its files must not import. */
const rooms = [
  {
    room: 'main/electron and main/preload (the desktop shell)',
    files: ['main/electron/**', 'main/preload/**'],
    deny: (r) => [deny.dirs(r, ['renderer'], 'the shell loads the renderer build, it does not import it.')],
  },
  {
    room: 'main/core (services)',
    files: ['main/core/**'],
    deny: (r) => [
      deny.electron(r),
      deny.dirs(
        r,
        ['host', 'cli', 'electron', 'preload'],
        'core never imports host, cli or the Electron shell.',
      ),
      deny.dirs(r, ['renderer'], 'core never imports the renderer.'),
    ],
  },
  {
    room: 'main/host (dispatcher and transports)',
    files: ['main/host/**'],
    deny: (r) => [
      deny.electron(r),
      deny.dirs(r, ['cli', 'electron', 'preload'], 'host never imports cli or the Electron shell.'),
      deny.dirs(r, ['renderer'], 'host never imports the renderer.'),
    ],
  },
  {
    room: 'main/cli (the edgefleet command)',
    files: ['main/cli/**'],
    deny: (r) => [
      deny.electron(r),
      deny.dirs(
        r,
        ['host', 'electron', 'preload'],
        'the CLI calls core services, not host or the Electron shell.',
      ),
      deny.dirs(r, ['renderer'], 'the CLI never imports the renderer.'),
    ],
  },
  {
    room: 'shared (the contract)',
    files: ['shared/**'],
    deny: (r) => [
      deny.electron(r),
      deny.node(r),
      deny.react(r),
      deny.dirs(r, ['main', 'renderer'], 'shared imports nothing from main or renderer.'),
    ],
  },
  {
    room: 'renderer (the UI)',
    files: ['renderer/**'],
    deny: (r) => [
      deny.electron(r),
      deny.node(r),
      deny.dirs(r, ['main'], 'the renderer never imports main/: use the typed client in renderer/src/api.'),
    ],
  },
];

const testFiles = ['**/*.test.ts', '**/*.test.tsx', 'renderer/src/testing/**'];

/** The test files inside a room's folder glob (`main/core/**` → `main/core/**` + `/*.test.ts`, …). */
const testFilesIn = (folder) =>
  testFiles.flatMap((t) =>
    t.startsWith('**/') ? [`${folder}/${t.slice(3)}`] : t.startsWith(folder.slice(0, -2)) ? [t] : [],
  );

/** no-restricted-imports options from a list of { paths } / { group, message } entries. */
function restrictions(entries) {
  return [
    'error',
    {
      paths: entries.flatMap((e) => e.paths ?? []),
      patterns: entries
        .filter((e) => e.group ?? e.regex)
        .map(({ group, regex, message }) => (regex ? { regex, message } : { group, message })),
    },
  ];
}

const layering = [
  // Everything else (e2e, test, scripts, bench, bin, config files): no electron.
  {
    files: ['**/*.{ts,tsx,js}'],
    rules: { 'no-restricted-imports': restrictions([deny.electron('outside the Electron shell')]) },
  },
  ...rooms.flatMap(({ room, files, deny: denied }) => [
    {
      files,
      ignores: testFiles,
      rules: { 'no-restricted-imports': restrictions([...denied(room), deny.testCode(room)]) },
    },
    {
      files: files.flatMap((f) => testFilesIn(f)),
      rules: { 'no-restricted-imports': restrictions(denied(`${room}, tests`)) },
    },
  ]),
  // shared runs in both main and the renderer: neither Node's nor the browser's globals.
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'location', 'fetch', 'WebSocket'].map(
          (name) => ({
            name,
            message: `shared (the contract): no DOM. ${see}`,
          }),
        ),
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate'].map(
          (name) => ({
            name,
            message: `shared (the contract): no Node. ${see}`,
          }),
        ),
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/**', 'e2e/**', 'test/**', 'scripts/**', 'bench/**', 'bin/**', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  ...layering,
);
