import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSchema, importResultSchema, removeResultSchema } from '../../shared/schemas/models';
import { buildSmallCnn, writeTestModel } from '../../test/models';
import { z } from 'zod';

const bin = fileURLToPath(new URL('../../bin/edgefleet.js', import.meta.url));
let work: string;
let dataDir: string;
let modelPath: string;

/** The real command, as a user's script runs it. */
function edgefleet(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, EDGEFLEET_HOME: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const json = (args: string[]) => edgefleet(['--data-dir', dataDir, '--json', ...args]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-cli-'));
  dataDir = join(work, 'data');
  modelPath = join(work, 'small cnn.onnx');
  await writeTestModel(buildSmallCnn(), modelPath);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('edgefleet CLI', () => {
  it('imports, lists, shows and removes a model with --json output of the contract types', () => {
    const imported = json(['models', 'import', modelPath, '--name', 'cnn']);
    expect(imported.code).toBe(0);
    const result = importResultSchema.parse(JSON.parse(imported.stdout));
    expect(result.existed).toBe(false);
    expect(result.model.name).toBe('cnn');

    const again = json(['models', 'import', modelPath]);
    expect(again.code).toBe(0);
    expect(importResultSchema.parse(JSON.parse(again.stdout))).toEqual({
      model: result.model,
      existed: true,
    });

    const list = json(['models', 'list']);
    expect(list.code).toBe(0);
    expect(
      z
        .array(modelSchema)
        .parse(JSON.parse(list.stdout))
        .map((m) => m.id),
    ).toEqual([result.model.id]);

    const shown = json(['models', 'show', 'cnn']);
    expect(modelSchema.parse(JSON.parse(shown.stdout)).id).toBe(result.model.id);
    // --json carries the lineage both ways; nothing benchmarked or deployed yet.
    expect(JSON.parse(shown.stdout)).toMatchObject({
      lineage: { modelId: result.model.id, parent: null, benchmarks: [], runningOn: [] },
    });

    const removed = json(['models', 'rm', result.model.id]);
    expect(removed.code).toBe(0);
    expect(removeResultSchema.parse(JSON.parse(removed.stdout))).toEqual({
      id: result.model.id,
      fileDeleted: true,
    });
    expect(JSON.parse(json(['models', 'list']).stdout)).toEqual([]);
  });

  it('prints tables and details for people, progress on stderr only', () => {
    const imported = edgefleet(['--data-dir', dataDir, 'models', 'import', modelPath]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported: small cnn \(m_[0-9a-f]+\)/);
    expect(imported.stderr).toContain('import: reading');
    const list = edgefleet(['--data-dir', dataDir, 'models', 'list']);
    expect(list.stdout).toMatch(/NAME\s+ID\s+SIZE\s+OPSET\s+PARAMS/);
    expect(list.stdout).toContain('small cnn');
    const show = edgefleet(['--data-dir', dataDir, 'models', 'show', 'small cnn']);
    expect(show.stdout).toContain('input  float32  [1, 3, 32, 32]');
    expect(show.stdout).toMatch(/Conv/);
    expect(show.stdout).toContain('made from  (imported)');
    expect(show.stdout).toContain('Running on\n  no device (as recorded)');
    expect(edgefleet(['--data-dir', dataDir, 'models', 'rm', 'small cnn']).code).toBe(0);
  });

  it('exits 1 with a JSON error for bad input, and adds nothing', () => {
    const text = join(work, 'notes.onnx');
    writeFileSync(text, 'just some text\n');
    const r = json(['models', 'import', text]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'MODEL_INVALID' } });
    const missing = json(['models', 'show', 'nothing-here']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(JSON.parse(json(['models', 'list']).stdout)).toEqual([]);
    expect(readdirSync(join(dataDir, 'models'))).toEqual([]);
  });

  it('exits 2 on usage errors (JSON error with --json)', () => {
    const noArg = edgefleet(['--data-dir', dataDir, 'models', 'import']);
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toContain("missing required argument 'file'");
    const unknown = json(['models', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: 'USAGE' } });
    expect(edgefleet(['--help']).code).toBe(0);
  });

  it('finds its data dir in EDGEFLEET_HOME when --data-dir is not given', () => {
    const home = join(work, 'home');
    const r = edgefleet(['--json', 'models', 'import', modelPath], { EDGEFLEET_HOME: home });
    expect(r.code).toBe(0);
    expect(existsSync(join(home, 'edgefleet.db'))).toBe(true);
    expect(readdirSync(join(home, 'models'))).toHaveLength(1);
  });
});
