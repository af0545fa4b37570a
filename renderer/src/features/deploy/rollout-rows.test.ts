import { describe, expect, it } from 'vitest';
import {
  applyProgress,
  countRows,
  countsLine,
  deployProgressOf,
  pendingRows,
  progressSections,
  rowsFromReport,
} from './rollout-rows';
import { sampleDeviceResult, sampleProgress, sampleReport } from '../../testing/deploy-results';

const devices = [
  { deviceId: 'd1', deviceName: 'pi-1' },
  { deviceId: 'd2', deviceName: 'pi-2' },
];

describe('rollout rows', () => {
  it('start pending and follow progress in order', () => {
    let rows = pendingRows(devices, 1000);
    expect(countRows(rows)).toMatchObject({ total: 2, pending: 2, finished: 0 });
    rows = applyProgress(rows, [
      sampleProgress({ step: 'connect', bytesSent: 0, bytesPerSec: 0 }),
      sampleProgress({ step: 'upload', bytesSent: 400, bytesPerSec: 4000 }),
    ]);
    expect(rows[0]).toMatchObject({ status: 'running', step: 'upload', bytesSent: 400, bytesPerSec: 4000 });
    expect(rows[1]?.status).toBe('pending');
    rows = applyProgress(rows, [sampleProgress({ bytesSent: 500, message: 'Uploading 1000 B' })]);
    rows = applyProgress(rows, [sampleProgress({ bytesSent: 600 })]);
    expect(rows[0]?.message).toBe('Uploading 1000 B');
    // A new step drops the last step's message.
    rows = applyProgress(rows, [sampleProgress({ step: 'health', bytesSent: 1000 })]);
    expect(rows[0]).toMatchObject({ step: 'health', message: null, bytesPerSec: 0 });
    rows = applyProgress(rows, [sampleProgress({ step: 'done', status: 'deployed', bytesSent: 1000 })]);
    // Speed is an upload's; a finished device shows none.
    expect(rows[0]).toMatchObject({ status: 'deployed', bytesSent: 1000, bytesPerSec: 0 });
    expect(countsLine(countRows(rows))).toBe('1 ok · 1 waiting');
  });

  it('never moves a finished device back to running, and appends devices it did not know', () => {
    let rows = applyProgress(pendingRows(devices, 1000), [
      sampleProgress({ status: 'failed', step: 'verify' }),
    ]);
    rows = applyProgress(rows, [
      sampleProgress({ status: 'running', step: 'upload' }),
      sampleProgress({ deviceId: 'd9', deviceName: 'late', status: 'running', step: 'connect' }),
    ]);
    expect(rows.map((r) => [r.deviceName, r.status])).toEqual([
      ['pi-1', 'failed'],
      ['pi-2', 'pending'],
      ['late', 'running'],
    ]);
  });

  it('reads the device progress from a job progress detail, and nothing else', () => {
    const detail = { key: 'd1', ...sampleProgress() };
    expect(
      deployProgressOf({ jobId: 'j', kind: 'deploy', phase: 'upload', percent: 10, detail }),
    ).toMatchObject({
      deviceId: 'd1',
      bytesSent: 500,
    });
    expect(deployProgressOf({ jobId: 'j', kind: 'deploy', phase: 'upload', percent: 10 })).toBeNull();
    expect(
      deployProgressOf({ jobId: 'j', kind: 'x', phase: 'p', percent: null, detail: { key: 'd1', other: 1 } }),
    ).toBeNull();
  });

  it('settle from the report in rollout order, with errors and durations', () => {
    const report = sampleReport([
      sampleDeviceResult({
        deviceId: 'd2',
        deviceName: 'pi-2',
        position: 1,
        status: 'rolled_back',
        step: 'health',
        error: { code: 'REMOTE_COMMAND_FAILED', message: 'health check failed 3 times' },
      }),
      sampleDeviceResult({ position: 0 }),
    ]);
    const rows = rowsFromReport(report);
    expect(rows.map((r) => r.deviceName)).toEqual(['pi-1', 'pi-2']);
    expect(rows[1]?.error?.code).toBe('REMOTE_COMMAND_FAILED');
    expect(rows[0]).toMatchObject({ durationMs: 2000, message: 'switched' });
    const counts = countRows(rows);
    expect(counts).toMatchObject({ deployed: 1, rolledBack: 1, finished: 2 });
    expect(countsLine(counts)).toBe('1 ok · 1 rolled back');
  });

  it('leave zero counts out, and say 0 ok when there is nothing at all', () => {
    const rows = applyProgress(pendingRows(devices.slice(0, 1), 10), [
      sampleProgress({ status: 'unchanged', step: 'done' }),
    ]);
    expect(countsLine(countRows(rows))).toBe('1 unchanged');
    expect(countsLine(countRows([]))).toBe('0 ok');
  });
});

describe('progressSections', () => {
  const base = {
    total: 3,
    finished: 3,
    deployed: 1,
    unchanged: 0,
    failed: 1,
    rolledBack: 1,
    cancelled: 0,
    skipped: 0,
    interrupted: 0,
    running: 0,
    pending: 0,
  };
  it('shows 2 of 3 failed (one rolled back) as two thirds red, never all green', () => {
    const sections = progressSections(base);
    expect(sections.map((s) => [s.key, s.count, s.color])).toEqual([
      ['ok', 1, 'teal'],
      ['failed', 2, 'red'],
    ]);
    expect(sections[1]?.value).toBeCloseTo(66.67, 1);
  });
  it('leaves running and waiting devices unfilled', () => {
    const sections = progressSections({
      ...base,
      finished: 1,
      failed: 0,
      rolledBack: 0,
      running: 1,
      pending: 1,
    });
    expect(sections).toEqual([{ key: 'ok', count: 1, color: 'teal', label: 'ok', value: (1 / 3) * 100 }]);
    expect(progressSections({ ...base, total: 0 })).toEqual([]);
  });
});
