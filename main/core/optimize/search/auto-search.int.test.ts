import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { Model } from '../../../../shared/schemas/models';
import { autoConfigSchema, recipeSchema, type AutoConfig } from '../../../../shared/schemas/optimize';
import { buildIfModel, buildSmallCnn, writeTestModel } from '../../../../test/models';
import { createSilentLogger } from '../../logger';
import { createServices, type Services } from '../../services';

let work: string;
let services: Services;
let cnn: Model;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ef-auto-'));
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  await writeTestModel(buildSmallCnn(), join(work, 'cnn.onnx'));
  cnn = (await services.models.importFile(join(work, 'cnn.onnx'), { name: 'cnn' })).model;
});
afterAll(async () => {
  await services.close();
  rmSync(work, { recursive: true, force: true });
});

const auto = (
  config: Partial<AutoConfig> = {},
  signal?: AbortSignal,
  onProgress?: (p: { percent: number | null; phase: string }) => void,
) =>
  services.optimize.optimize(
    {
      model: cnn.id,
      options: { method: 'auto', config: autoConfigSchema.parse({ budgetMinutes: 3, ...config }) },
      calibration: { kind: 'random', count: 20, seed: 3 },
    },
    { signal, onProgress },
  );
const variantsOf = (parent: Model) => services.models.list().filter((m) => m.parentId === parent.id);

describe('optimize --method auto', () => {
  it('searches, measures every candidate beside the parent, and stores the chosen one with the whole search', async () => {
    const { model } = await auto({ goal: 'cosine>=0.99' });
    const report = model.report!.auto!;
    expect(report.goal).toBe('cosine>=0.99');
    const kinds = new Set(report.candidates.map((c) => c.kind));
    expect(kinds.has('int8-static')).toBe(true);
    expect(kinds.has('fp16')).toBe(true);
    // the prepared float graph (BatchNorm folded) computes the same function
    const prepared = report.candidates.find((c) => c.kind === 'fp32-prepared')!;
    expect(prepared.cosine!).toBeGreaterThan(0.99999);
    for (const c of report.candidates) {
      expect(c.latencyRatio, c.id).toBeGreaterThan(0);
      expect(c.meetsGoal, c.id).toBe(c.cosine !== null && c.cosine >= 0.99);
    }
    // Never a variant slower than its parent or below the goal recommended without saying so.
    const recommended = report.candidates.filter((c) => c.recommended);
    expect(recommended.length).toBeLessThanOrEqual(1);
    if (recommended[0]) {
      expect(recommended[0].meetsGoal).toBe(true);
      expect(recommended[0].latencyRatio!).toBeLessThanOrEqual(1);
      expect(report.verdict).toMatch(/^Recommended: /);
      const fastest = Math.min(...report.candidates.filter((c) => c.meetsGoal).map((c) => c.latencyRatio!));
      expect(recommended[0].latencyRatio!).toBeLessThanOrEqual(fastest * 1.03 + 1e-9);
    } else {
      expect(report.verdict).toMatch(/deploy the parent|Goal not met/);
    }
    // The per-node table covers the quantizable nodes: two Conv, the Gemm, the pool.
    expect(report.nodes.map((n) => n.opType).sort()).toEqual(['Conv', 'Conv', 'Gemm', 'GlobalAveragePool']);
    expect(report.nodes.every((n) => n.sensitivitySqnrDb !== null && n.floatUs !== null)).toBe(true);
    expect(report.measuredOn).toMatch(/this machine .*ONNX Runtime .*round-robin/);
    // Stored: this variant first, every stored one named in the report, each loads in ORT.
    expect(report.candidates.find((c) => c.savedAs === model.id)).toBeDefined();
    const stored = report.candidates.filter((c) => c.savedAs !== null);
    for (const c of stored) {
      const v = services.models.get(c.savedAs!);
      expect(v.parentId).toBe(cnn.id);
      expect(v.report?.auto?.candidates.map((x) => x.savedAs)).toEqual(
        report.candidates.map((x) => x.savedAs),
      );
      expect(recipeSchema.parse(v.recipe)).toMatchObject({ method: 'auto', parentSha256: cnn.sha256 });
      const s = await ort.InferenceSession.create(services.models.pathOf(v));
      await s.release();
    }
    for (const c of stored) await services.models.remove(c.savedAs!);
  });

  it('keeps forced nodes float and says why', async () => {
    const first = await auto({ budgetMinutes: 2 });
    const conv = first.model.report!.auto!.nodes.find((n) => n.opType === 'Conv')!.node;
    const saved = first.model.report!.auto!.candidates.filter((c) => c.savedAs).map((c) => c.savedAs!);
    for (const id of saved) await services.models.remove(id);
    const { model } = await auto({ budgetMinutes: 2, forceFloat: [conv] });
    const report = model.report!.auto!;
    for (const c of report.candidates.filter(
      (x) => x.kind.startsWith('int8-mixed') || x.kind === 'int8-static',
    )) {
      expect(c.floatNodeNames, c.id).toContain(conv);
    }
    const row = report.nodes.find((n) => n.node === conv)!;
    const chosen = report.candidates.find((c) => c.savedAs === model.id)!;
    if (chosen.kind === 'int8-static' || chosen.kind === 'int8-mixed') {
      expect(row).toMatchObject({ decision: 'float', reason: 'forced float' });
    }
    for (const c of report.candidates.filter((x) => x.savedAs)) await services.models.remove(c.savedAs!);
  });

  it('stops at the budget with the best found so far, marked', async () => {
    const { model } = await auto({ budgetMinutes: 0.0005 });
    const report = model.report!.auto!;
    expect(report.stoppedEarly).toBe('budget');
    expect(report.verdict).toMatch(/budget ran out/);
    expect(report.candidates.length).toBeGreaterThanOrEqual(1);
    for (const c of report.candidates.filter((x) => x.savedAs)) await services.models.remove(c.savedAs!);
  });

  it('on a model whose compute sits inside an If: dynamic INT8 and FP16 candidates, static said to be left out', async () => {
    await writeTestModel(buildIfModel(), join(work, 'if.onnx'));
    const parent = (await services.models.importFile(join(work, 'if.onnx'), { name: 'if-model' })).model;
    const { model } = await services.optimize.optimize({
      model: parent.id,
      options: { method: 'auto', config: autoConfigSchema.parse({ budgetMinutes: 2 }) },
      calibration: { kind: 'random', count: 16, seed: 3 },
    });
    const report = model.report!.auto!;
    expect(report.candidates.map((c) => c.kind).sort()).toEqual(['fp16', 'int8-dynamic']);
    expect(report.notes.join(' ')).toMatch(/Static INT8 left out: Nothing to quantize/);
    const dynamic = report.candidates.find((c) => c.kind === 'int8-dynamic')!;
    expect(dynamic.cosine!).toBeGreaterThan(0.999);
    expect(dynamic.sizeRatio).toBeLessThan(0.35);
    for (const c of report.candidates.filter((x) => x.savedAs)) await services.models.remove(c.savedAs!);
    await services.models.remove(parent.id);
  });

  it('a cancel keeps what was found so far, stored and marked', async () => {
    const controller = new AbortController();
    const { model } = await auto({ budgetMinutes: 2 }, controller.signal, (p) => {
      if (p.phase === 'searching' && (p.percent ?? 0) >= 30) controller.abort();
    });
    const report = model.report!.auto!;
    expect(report.stoppedEarly).toBe('cancelled');
    expect(report.verdict).toMatch(/cancelled: this is the best found so far/);
    expect(report.candidates.length).toBeGreaterThanOrEqual(1);
    expect(model.parentId).toBe(cnn.id);
    for (const c of report.candidates.filter((x) => x.savedAs)) await services.models.remove(c.savedAs!);
  });

  it('--target PROFILE ranks by the estimator on that profile and says so; an unknown profile is refused', async () => {
    await expect(auto({ target: 'no-such-board' })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'NOT_FOUND' && e.message.includes('profiles list'),
    );
    expect(variantsOf(cnn)).toHaveLength(0);
    const { model } = await auto({ target: 'rpi4', budgetMinutes: 2 });
    const report = model.report!.auto!;
    expect(report.target).toBe('rpi4');
    expect(report.measuredOn).toMatch(/^latency ESTIMATED on Raspberry Pi 4/);
    expect(report.verdict).toMatch(/estimated on Raspberry Pi 4/);
    expect(report.notes.join(' ')).toMatch(/Measured on this machine \(not the target\): c1 /);
    for (const c of report.candidates) expect(c.latencyRatio, c.id).toBeGreaterThan(0);
    for (const c of report.candidates.filter((x) => x.savedAs)) await services.models.remove(c.savedAs!);
  });

  it('refuses a goal it cannot read before any work, and stores nothing', async () => {
    const before = services.models.list().length;
    const files = readdirSync(services.store.dir).length;
    await expect(auto({ goal: 'cosine>0.99' })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'GOAL_INVALID' && e.message.includes('TERM = cosine>=C'),
    );
    await expect(auto({ goal: 'accuracy-drop<=1%' })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'GOAL_INVALID' && e.message.includes('labels'),
    );
    expect(services.models.list()).toHaveLength(before);
    expect(readdirSync(services.store.dir)).toHaveLength(files);
    expect(variantsOf(cnn).map((m) => [m.method, m.report?.auto?.verdict])).toEqual([]);
  });
});
