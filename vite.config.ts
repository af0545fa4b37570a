/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const testFiles = ['main', 'shared', 'test', 'renderer'].map((dir) => `${dir}/**/*.test.{ts,tsx}`);
const componentFiles = ['renderer/**/*.test.tsx'];
const integrationFiles = ['main', 'shared', 'test', 'renderer'].map((dir) => `${dir}/**/*.int.test.{ts,tsx}`);

export default defineConfig({
  root: here('./renderer'),
  // Relative asset URLs: the same build loads from file:// (Electron) and http://127.0.0.1 (web console).
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    root: here('.'),
    environment: 'node',
    // Native addons (better-sqlite3, onnxruntime-node) are safest in child processes.
    pool: 'forks',
    // Two tiers (docs/architecture.md, "Tests"): `npm run test:unit` runs `unit`, `npm run test:integration`
    // runs `integration`. Unit tests need nothing but Node and node_modules; a test that starts sshd, runs
    // python3, reads Debian's libonnx-testdata or spawns the CLI/app lives in a `*.int.test.ts` file.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: testFiles,
          exclude: [...integrationFiles, ...componentFiles],
          // Files share a worker process (modules load once): unit tests keep no global state, and each test
          // makes its own database (test/fixtures/temp-db.ts) and directories (test/fixtures/temp-dir.ts).
          isolate: false,
          // Vitest's default is one worker on 2 cores; two keep both busy: 68 s → 53 s here.
          maxWorkers: 2,
          // Under a 0.67-CPU cap (a machine 3× slower) the slowest test on this default took 4.9 s, under a third.
          testTimeout: 20_000,
          // beforeAll may calibrate ONNX Runtime on this machine (a few seconds).
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          // The component tests (each file names its jsdom environment), beside the node files: a component
          // file runs while the other worker waits on ONNX Runtime.
          name: 'unit-dom',
          include: componentFiles,
          exclude: integrationFiles,
          isolate: false,
          maxWorkers: 2,
          setupFiles: [here('./renderer/src/testing/dom-cleanup.ts')],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integrationFiles,
          globalSetup: [here('./test/fixtures/cli-bundle-setup.ts')],
          // Two files at a time even on 2 cores (Vitest's default there is one): most of these tests wait on
          // sshd, ansible-playbook, python3 or a CLI process, so a second file fills the idle core. Each file
          // has its own ports, directories and database.
          maxWorkers: 2,
          // Under a 0.67-CPU cap (a machine 3× slower) the slowest test on this default took 49 s: under a third.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
