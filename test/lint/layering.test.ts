import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoPath, repoRoot } from '../fixtures/repo-path';

/**
 * The layering rules of eslint.config.js (docs/architecture.md, "Rules"), checked on planted code: each rule
 * fails a file that breaks it, and the imports each room is allowed stay clean. The planted files do not exist;
 * ESLint lints the text as if it were at that path.
 */

const eslint = new ESLint({ cwd: repoRoot });

type Finding = { rule: string | null; message: string };

async function layeringFindings(path: string, code: string): Promise<Finding[]> {
  const [result] = await eslint.lintText(code, { filePath: repoPath(path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => ({ rule: m.ruleId, message: m.message }));
}

type Violation = [rule: string, path: string, code: string, message: RegExp];

const violations: Violation[] = [
  // Only main/electron and main/preload import electron.
  [
    'electron outside the shell',
    'main/core/planted.ts',
    "import { app } from 'electron';",
    /only main\/electron/,
  ],
  [
    'electron outside the shell',
    'main/host/planted.ts',
    "import { ipcMain } from 'electron';",
    /only main\/electron/,
  ],
  [
    'electron outside the shell',
    'main/cli/planted.ts',
    "import { app } from 'electron';",
    /only main\/electron/,
  ],
  [
    'electron outside the shell',
    'renderer/src/planted.ts',
    "import { ipcRenderer } from 'electron';",
    /only/,
  ],
  [
    'electron outside the shell',
    'shared/planted.ts',
    "import { app } from 'electron';",
    /only main\/electron/,
  ],
  ['electron outside the shell', 'test/planted.ts', "import { app } from 'electron';", /only main\/electron/],
  ['electron outside the shell', 'e2e/planted.ts', "import { app } from 'electron';", /only main\/electron/],
  // shared imports no Node, no DOM, no React, nothing of main or renderer.
  ['shared: no Node', 'shared/planted.ts', "import { readFileSync } from 'node:fs';", /no Node modules/],
  ['shared: no Node', 'shared/planted.ts', "import { join } from 'path';", /no Node modules/],
  ['shared: no Node', 'shared/planted.ts', "import { readFile } from 'fs/promises';", /no Node modules/],
  ['shared: no Node globals', 'shared/planted.ts', 'export const home = process.env.HOME;', /no Node/],
  ['shared: no DOM', 'shared/planted.ts', 'export const width = window.innerWidth;', /no DOM/],
  ['shared: no DOM', 'shared/planted.ts', "export const el = document.createElement('p');", /no DOM/],
  ['shared: no React', 'shared/planted.ts', "import { useState } from 'react';", /no React/],
  [
    'shared: no main',
    'shared/schemas/planted.ts',
    "import { x } from '../../main/core/services';",
    /nothing from main/,
  ],
  [
    'shared: no renderer',
    'shared/planted.ts',
    "import { x } from '../renderer/src/api/client';",
    /nothing from main/,
  ],
  // The renderer never imports main (nor Node).
  [
    'renderer: no main',
    'renderer/src/features/fleet/planted.tsx',
    "import { createServices } from '../../../../main/core/services';",
    /never imports main/,
  ],
  [
    'renderer: no Node',
    'renderer/src/api/planted.ts',
    "import { readFileSync } from 'fs';",
    /no Node modules/,
  ],
  // core never imports host, cli or the Electron shell.
  [
    'core: no host',
    'main/core/fleet/planted.ts',
    "import { x } from '../../host/dispatcher';",
    /core never imports/,
  ],
  [
    'core: no cli',
    'main/core/deploy/planted.ts',
    "import { x } from '../../cli/main';",
    /core never imports/,
  ],
  ['core: no shell', 'main/core/planted.ts', "import { x } from '../electron/main';", /core never imports/],
  ['core: no shell', 'main/core/planted.ts', "import { x } from '../preload/preload';", /core never imports/],
  [
    'core: no renderer',
    'main/core/planted.ts',
    "import { x } from '../../renderer/src/api';",
    /never imports/,
  ],
  // host never imports cli (nor the shell, which builds on host).
  ['host: no cli', 'main/host/planted.ts', "import { x } from '../cli/main';", /host never imports cli/],
  ['host: no shell', 'main/host/planted.ts', "import { x } from '../electron/main';", /host never imports/],
  ['cli: no host', 'main/cli/commands/planted.ts', "import { x } from '../../host/dispatcher';", /not host/],
  // Production code never imports tests or test helpers.
  [
    'no test code',
    'main/core/optimize/planted.ts',
    "import { x } from '../../../test/models';",
    /never imports tests/,
  ],
  [
    'no test code',
    'main/host/planted.ts',
    "import { x } from '../../test/fixtures/sshd';",
    /never imports tests/,
  ],
  ['no test code', 'main/cli/planted.ts', "import { x } from '../../test/models';", /never imports tests/],
  [
    'no test code',
    'main/electron/planted.ts',
    "import { x } from '../../test/models';",
    /never imports tests/,
  ],
  ['no test code', 'shared/planted.ts', "import { x } from '../test/models';", /never imports tests/],
  [
    'no test code',
    'renderer/src/features/fleet/planted.ts',
    "import { x } from '../../testing/fake-transport';",
    /never imports tests/,
  ],
  ['no test code', 'main/core/planted.ts', "import { x } from './dispatcher.test';", /never imports tests/],
];

const allowed: [what: string, path: string, code: string][] = [
  ['the shell imports electron', 'main/electron/planted.ts', "import { app } from 'electron';"],
  ['the preload imports electron', 'main/preload/planted.ts', "import { contextBridge } from 'electron';"],
  ['the shell wires host and core', 'main/electron/planted.ts', "import { x } from '../host/dispatcher';"],
  ['host calls core', 'main/host/planted.ts', "import { x } from '../core/services';"],
  ['the CLI calls core', 'main/cli/planted.ts', "import { x } from '../core/services';"],
  ['core uses Node', 'main/core/planted.ts', "import { readFile } from 'node:fs/promises';"],
  ['core uses shared', 'main/core/planted.ts', "import { AppError } from '../../shared/errors';"],
  ['the renderer uses shared', 'renderer/src/planted.ts', "import { x } from '../../shared/contract';"],
  ['a local module named like a Node one', 'renderer/src/api/planted.ts', "import { x } from './events';"],
  [
    'a core test uses test helpers',
    'main/core/onnx/planted.test.ts',
    "import { x } from '../../../test/models';",
  ],
  [
    'an integration test too',
    'main/core/planted.int.test.ts',
    "import { x } from '../../test/fixtures/sshd';",
  ],
  [
    'a renderer test uses its fakes',
    'renderer/src/api/planted.test.ts',
    "import { x } from '../testing/fake-transport';",
  ],
  ['test helpers import main', 'test/models/planted.ts', "import { x } from '../../main/core/onnx';"],
];

describe('layering lint rules', () => {
  it.each(violations)('%s: fails %s', async (_rule, path, code, message) => {
    const findings = await layeringFindings(path, code);
    expect(findings.length, `${path}: ${code}`).toBeGreaterThan(0);
    expect(findings.map((f) => f.message).join('\n')).toMatch(message);
  });

  it.each(allowed)('allows: %s (%s)', async (_what, path, code) => {
    expect(await layeringFindings(path, code)).toEqual([]);
  });
});
