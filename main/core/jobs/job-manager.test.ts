import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { JobManager, throwIfCancelled } from './job-manager';

function record(jobs: JobManager): AnyEvent[] {
  const events: AnyEvent[] = [];
  jobs.subscribe((e) => events.push(e));
  return events;
}

describe('JobManager', () => {
  it('returns the job id before any event, then reports progress and the result', async () => {
    const jobs = new JobManager();
    const events = record(jobs);
    const { jobId, done } = jobs.start('test', async ({ progress }) => {
      progress({ phase: 'half', percent: 50 });
      return { answer: 42 };
    });
    expect(events).toEqual([]);
    await done;
    expect(events).toEqual([
      { name: 'job.progress', payload: { jobId, kind: 'test', phase: 'half', percent: 50 } },
      { name: 'job.done', payload: { jobId, kind: 'test', result: { answer: 42 } } },
    ]);
    expect(jobs.runningCount).toBe(0);
  });

  it('reports failures with their error code', async () => {
    const jobs = new JobManager();
    const events = record(jobs);
    const { done } = jobs.start('test', async () => {
      throw new AppError('MODEL_INVALID', 'bad');
    });
    await done;
    expect(events.at(-1)).toMatchObject({
      name: 'job.failed',
      payload: { error: { code: 'MODEL_INVALID' } },
    });
  });

  it('cancels through the signal; progress after cancel is dropped', async () => {
    const jobs = new JobManager();
    const events = record(jobs);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { jobId, done } = jobs.start('test', async ({ signal, progress }) => {
      await gate;
      progress({ phase: 'late', percent: 90 });
      throwIfCancelled(signal);
      return 'finished';
    });
    await new Promise((r) => setImmediate(r));
    expect(jobs.cancel(jobId)).toBe(true);
    expect(jobs.cancel('j_unknown')).toBe(false);
    release();
    await done;
    expect(events.map((e) => e.name)).toEqual(['job.failed']);
    expect(events[0]).toMatchObject({ payload: { error: { code: 'CANCELLED' } } });
  });

  it('keeps going when a listener throws', async () => {
    const jobs = new JobManager();
    jobs.subscribe(() => {
      throw new Error('closed socket');
    });
    const events = record(jobs);
    await jobs.start('test', async () => 1).done;
    expect(events.map((e) => e.name)).toEqual(['job.done']);
  });
});
