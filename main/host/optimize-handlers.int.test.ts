import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/result';
import { buildCnnClassifier } from '../../test/models/cnn-classifier';
import { writeTestModel } from '../../test/models';
import { createSilentLogger } from '../core/logger';
import { createServices, type Services } from '../core/services';
import { createDispatcher, type Dispatch } from './dispatcher';
import { createHandlers } from './handlers';

const work = mkdtempSync(join(tmpdir(), 'ef-opt-handlers-'));
let services: Services;
let dispatch: Dispatch;
let teacherId: string;

beforeAll(async () => {
  services = createServices({ dataDir: join(work, 'data'), logger: createSilentLogger() });
  dispatch = createDispatcher(createHandlers(services, { kind: 'web' }));
  await writeTestModel(buildCnnClassifier({ size: 8, channels: [4, 4], hidden: 8 }), join(work, 't.onnx'));
  teacherId = (await services.models.importFile(join(work, 't.onnx'))).model.id;
});
afterAll(async () => {
  await services.close();
  rmSync(work, { recursive: true, force: true });
});

const distill = (student: string) => ({
  model: teacherId,
  options: { method: 'distill', config: { student } },
  calibration: { kind: 'random', count: 4, seed: 1 },
});

describe('optimize.run from the window: the distillation student', () => {
  it('is never a path on this machine, and a library student must exist; nothing starts', async () => {
    const before = services.models.list().length;
    const path = (await dispatch('optimize.run', distill(join(work, 't.onnx')), {
      transport: 'web',
    })) as Result<unknown>;
    expect(path).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!path.ok && path.error.message).toMatch(/model:<id>/);
    const missing = (await dispatch('optimize.run', distill('model:nope'), {
      transport: 'web',
    })) as Result<unknown>;
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(services.jobs.runningCount).toBe(0);
    expect(services.models.list().length).toBe(before);
  });
});
