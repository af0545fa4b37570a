import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { createFakeTransport } from '../testing/fake-transport';
import { sampleModel } from '../testing/sample-model';
import { createClient } from './client';

const fileRef = `f_${'0'.repeat(32)}`;
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('client.call', () => {
  it('returns the validated value', async () => {
    const fake = createFakeTransport({ 'models.list': () => ({ ok: true, value: [sampleModel()] }) });
    const models = await createClient(fake.transport).call('models.list', {});
    expect(models.map((m) => m.name)).toEqual(['small-cnn']);
    expect(fake.calls).toEqual([{ method: 'models.list', params: {} }]);
  });

  it('throws the AppError of an ok:false envelope', async () => {
    const fake = createFakeTransport({
      'models.remove': () => ({
        ok: false,
        error: { code: 'MODEL_IN_USE', message: 'in use by a deployment' },
      }),
    });
    const err = await rejection(createClient(fake.transport).call('models.remove', { ref: 'm_1' }));
    expect(err.code).toBe('MODEL_IN_USE');
    expect(err.message).toBe('in use by a deployment');
  });

  it('rejects a value that does not match the contract as INTERNAL', async () => {
    const fake = createFakeTransport({ 'models.list': () => ({ ok: true, value: [{ id: 1 }] }) });
    const err = await rejection(createClient(fake.transport).call('models.list', {}));
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toMatch(/models\.list/);
  });
});

describe('client.runJob', () => {
  it('resolves on job.done for its own job and reports its progress only', async () => {
    const fake = createFakeTransport({ 'models.import': () => ({ ok: true, value: { jobId: 'j1' } }) });
    const client = createClient(fake.transport);
    const progress: Array<number | null> = [];
    const job = client.runJob('models.import', { fileRef }, { onProgress: (p) => progress.push(p.percent) });
    await tick();
    fake.emit({ name: 'job.progress', payload: { jobId: 'other', kind: 'import', phase: 'x', percent: 99 } });
    fake.emit({
      name: 'job.progress',
      payload: { jobId: 'j1', kind: 'import', phase: 'parse', percent: 40 },
    });
    expect(client.jobs.getSnapshot()).toMatchObject([{ jobId: 'j1', phase: 'parse', percent: 40 }]);
    fake.emit({ name: 'job.done', payload: { jobId: 'other', kind: 'import', result: 'nope' } });
    fake.emit({
      name: 'job.done',
      payload: { jobId: 'j1', kind: 'import', result: { model: sampleModel(), existed: false } },
    });
    const result = await job.promise;
    expect(result.model.id).toBe('m_1');
    expect(result.existed).toBe(false);
    expect(progress).toEqual([40]);
    expect(client.jobs.getSnapshot()).toEqual([]);
    expect(fake.listenerCount()).toBe(0);
  });

  it('does not lose events that arrive before the call answers (buffered, then replayed)', async () => {
    let emitEarly = (): void => {};
    const fake = createFakeTransport({
      'models.import': () => {
        emitEarly();
        return { ok: true, value: { jobId: 'fast' } };
      },
    });
    emitEarly = () => {
      fake.emit({
        name: 'job.progress',
        payload: { jobId: 'fast', kind: 'import', phase: 'hash', percent: 50 },
      });
      fake.emit({
        name: 'job.done',
        payload: { jobId: 'fast', kind: 'import', result: { model: sampleModel(), existed: true } },
      });
    };
    const progress: string[] = [];
    const job = createClient(fake.transport).runJob(
      'models.import',
      { fileRef },
      { onProgress: (p) => progress.push(p.phase) },
    );
    await expect(job.promise).resolves.toMatchObject({ existed: true });
    expect(progress).toEqual(['hash']);
  });

  it('rejects with the AppError of job.failed', async () => {
    const fake = createFakeTransport({ 'models.import': () => ({ ok: true, value: { jobId: 'j2' } }) });
    const job = createClient(fake.transport).runJob('models.import', { fileRef });
    await tick();
    fake.emit({
      name: 'job.failed',
      payload: {
        jobId: 'j2',
        kind: 'import',
        error: { code: 'MODEL_INVALID', message: 'not an ONNX model' },
      },
    });
    const err = await rejection(job.promise);
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toBe('not an ONNX model');
  });

  it('rejects a job result that does not match the contract as INTERNAL', async () => {
    const fake = createFakeTransport({ 'models.import': () => ({ ok: true, value: { jobId: 'j3' } }) });
    const job = createClient(fake.transport).runJob('models.import', { fileRef });
    await tick();
    fake.emit({ name: 'job.done', payload: { jobId: 'j3', kind: 'import', result: { model: null } } });
    expect((await rejection(job.promise)).code).toBe('INTERNAL');
  });

  it('rejects when the start call fails, and stops listening', async () => {
    const fake = createFakeTransport({
      'models.import': () => ({ ok: false, error: { code: 'FILE_NOT_FOUND', message: 'gone' } }),
    });
    const client = createClient(fake.transport);
    const job = client.runJob('models.import', { fileRef });
    expect((await rejection(job.promise)).code).toBe('FILE_NOT_FOUND');
    expect(fake.listenerCount()).toBe(0);
    expect(client.jobs.getSnapshot()).toEqual([]);
  });

  it('cancel before the jobId is known is sent once the id arrives', async () => {
    let answer = (_value: { ok: true; value: { jobId: string } }): void => {};
    const fake = createFakeTransport({
      'models.import': () => new Promise((resolve) => (answer = resolve)),
      'jobs.cancel': () => ({ ok: true, value: { cancelled: true } }),
    });
    const job = createClient(fake.transport).runJob('models.import', { fileRef });
    await job.cancel();
    await tick();
    expect(fake.calls.map((c) => c.method)).toEqual(['models.import']);
    answer({ ok: true, value: { jobId: 'slow' } });
    await tick();
    expect(fake.calls).toContainEqual({ method: 'jobs.cancel', params: { jobId: 'slow' } });
    fake.emit({
      name: 'job.failed',
      payload: { jobId: 'slow', kind: 'import', error: { code: 'CANCELLED', message: 'cancelled' } },
    });
    expect((await rejection(job.promise)).code).toBe('CANCELLED');
  });
});
