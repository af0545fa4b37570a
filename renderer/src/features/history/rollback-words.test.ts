import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import { sampleDeviceResult, sampleRelease, sampleReport } from '../../testing/deploy-results';
import type { RollbackRequest } from './history-ops';
import { rollbackHeadline, rollbackRequestFor } from './rollback-words';

const request: RollbackRequest = {
  deviceId: 'd1',
  deviceName: 'pi-1',
  modelName: 'small-cnn',
  toRelease: null,
  previousRelease: 'r-old',
  fromRelease: 'r-new',
};

describe('rollback words', () => {
  it('asks for the previous release of a release row, naming both ends when recorded', () => {
    const previous = { release: 'r-old', sha256: null, variantId: null, version: null };
    expect(rollbackRequestFor(sampleRelease({ previous }))).toEqual({
      deviceId: 'd1',
      deviceName: 'pi-1',
      modelName: 'small-cnn',
      toRelease: null,
      previousRelease: 'r-old',
      fromRelease: '20250102-030405-aaaaaaaa',
    });
    expect(rollbackRequestFor(sampleRelease({ current: null }))).toMatchObject({
      previousRelease: null,
      fromRelease: null,
    });
  });

  it('says what runs after a rollback, or why it did not finish', () => {
    expect(rollbackHeadline({ status: 'running', request, rows: [] })).toBe('Rolling back pi-1 (small-cnn)…');
    expect(
      rollbackHeadline({ status: 'failed', request, rows: [], error: new AppError('TIMEOUT', 'slow') }),
    ).toBe('Rollback of pi-1 did not finish');
    const done = (status: 'deployed' | 'failed') =>
      rollbackHeadline({
        status: 'done',
        request,
        rows: [],
        report: sampleReport([sampleDeviceResult({ status, releaseAfter: 'r-old' })], { kind: 'rollback' }),
      });
    expect(done('deployed')).toBe('Rolled back pi-1: small-cnn now runs r-old.');
    expect(done('failed')).toBe('Rollback of pi-1: failed.');
    expect(rollbackHeadline({ status: 'done', request, rows: [], report: sampleReport([]) })).toBe(
      'Rollback of pi-1: no result.',
    );
  });
});
