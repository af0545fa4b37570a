import { describe, expect, it, vi } from 'vitest';
import { methods } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { createDispatcher, type Handlers } from './dispatcher';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const notUsed = () => {
    throw new Error('not used in this test');
  };
  // Every method of the contract gets a handler, so the test keeps compiling as the contract grows.
  const base = Object.fromEntries(methods.map((m) => [m, notUsed])) as unknown as Handlers;
  return {
    ...base,
    'app.info': () => ({ version: '0.0.0', dataDir: '/tmp/x', onnxRuntimeVersion: '1.30.0', shell: 'web' }),
    'models.list': () => [],
    'jobs.cancel': ({ jobId }) => ({ cancelled: jobId === 'j_1' }),
    ...overrides,
  } as Handlers;
}
const ctx = { transport: 'web' as const };

describe('dispatcher', () => {
  it('calls the handler with parsed params and wraps the result', async () => {
    const dispatch = createDispatcher(handlers());
    expect(await dispatch('jobs.cancel', { jobId: 'j_1' }, ctx)).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    expect(await dispatch('models.list', undefined, ctx)).toEqual({ ok: true, value: [] });
  });

  it('refuses an unknown method without calling anything', async () => {
    const spy = vi.fn();
    const dispatch = createDispatcher(handlers({ 'models.list': spy }));
    for (const method of ['models.drop', '__proto__', 'constructor', 42, null]) {
      const result = await dispatch(method, {}, ctx);
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('never lets a payload that fails its schema reach a service', async () => {
    const remove = vi.fn();
    const imp = vi.fn();
    const dispatch = createDispatcher(handlers({ 'models.remove': remove, 'models.import': imp }));
    const bad: [string, unknown][] = [
      ['models.remove', {}],
      ['models.remove', { ref: '' }],
      ['models.remove', { ref: 7 }],
      ['models.remove', { ref: 'a', extra: true }],
      ['models.import', { fileRef: '/etc/passwd' }],
      ['models.import', { fileRef: `f_${'0'.repeat(32)}`, name: 'a/b' }],
      ['models.import', 'not an object'],
    ];
    for (const [method, params] of bad) {
      const result = await dispatch(method, params, ctx);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('BAD_REQUEST');
        expect(result.error.message).toContain(method);
      }
    }
    expect(remove).not.toHaveBeenCalled();
    expect(imp).not.toHaveBeenCalled();
  });

  it('passes AppErrors through and hides nothing else behind INTERNAL', async () => {
    const dispatch = createDispatcher(
      handlers({
        'models.get': () => {
          throw new AppError('NOT_FOUND', 'No model "x".');
        },
        'models.list': () => {
          throw new TypeError('oops');
        },
      }),
    );
    expect(await dispatch('models.get', { ref: 'x' }, ctx)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No model "x".' },
    });
    const internal = await dispatch('models.list', {}, ctx);
    expect(internal).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('checks results against the contract, so a service cannot leak other shapes', async () => {
    const dispatch = createDispatcher(
      handlers({ 'jobs.cancel': () => ({ cancelled: 'yes' }) as unknown as { cancelled: boolean } }),
    );
    expect(await dispatch('jobs.cancel', { jobId: 'j_1' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL' },
    });
  });
});
