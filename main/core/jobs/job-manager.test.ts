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

  it('remembers the state of running and finished jobs for clients that missed events', async () => {
    const jobs = new JobManager();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { jobId, done } = jobs.start('test', async ({ progress }) => {
      progress({ phase: 'working', percent: 10 });
      await gate;
      return 'ok';
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(jobs.state(jobId)).toEqual({
      status: 'running',
      kind: 'test',
      progress: { phase: 'working', percent: 10 },
    });
    release();
    await done;
    expect(jobs.state(jobId)).toEqual({ status: 'done', kind: 'test', result: 'ok' });
    const failed = jobs.start('test', async () => {
      throw new AppError('MODEL_INVALID', 'bad');
    });
    await failed.done;
    expect(jobs.state(failed.jobId)).toMatchObject({ status: 'failed', error: { code: 'MODEL_INVALID' } });
    expect(jobs.state('j_nope')).toEqual({ status: 'unknown' });
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

describe('JobManager progress', () => {
  it('sends every phase change but thins out a flood of updates within a phase', async () => {
    const jobs = new JobManager();
    const events = record(jobs);
    const { done } = jobs.start('test', async ({ progress }) => {
      for (let i = 0; i < 1000; i++) progress({ phase: 'calibrating', percent: i / 10 });
      progress({ phase: 'evaluating', percent: 99 });
      progress({ phase: 'evaluating', percent: 100 });
      return null;
    });
    await done;
    const phases = events.filter((e) => e.name === 'job.progress').map((e) => e.payload);
    expect(phases.length).toBeLessThan(20);
    expect(phases.map((p) => ('phase' in p ? p.phase : ''))).toEqual(
      expect.arrayContaining(['calibrating', 'evaluating']),
    );
    expect(phases.at(-1)).toMatchObject({ phase: 'evaluating', percent: 100 });
  });
});

describe('JobManager progress, held back', () => {
  it('thins out a flood of phase changes too, sends the newest held back, and nothing after the job ended', async () => {
    const jobs = new JobManager();
    const events = record(jobs);
    const { done } = jobs.start('test', async ({ progress }) => {
      for (let epoch = 1; epoch <= 500; epoch++)
        progress({ phase: `epoch ${epoch}/500`, percent: epoch / 6 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return null;
    });
    await done;
    const phases = events.flatMap((e) => (e.name === 'job.progress' ? [e.payload.phase] : []));
    // The first 30 at once (a rollout's steps never wait), then only the newest when the interval ended.
    expect(phases).toEqual([...Array.from({ length: 30 }, (_, i) => `epoch ${i + 1}/500`), 'epoch 500/500']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(events.filter((e) => e.name === 'job.progress')).toHaveLength(31);
  });
});

describe('JobManager progress details', () => {
  it('thins each part of a job on its own, so no device of a rollout goes silent', async () => {
    const jobs = new JobManager();
    const events = record(jobs);
    const { done } = jobs.start('test', async ({ progress }) => {
      for (let i = 0; i < 300; i++) {
        for (const device of ['a', 'b', 'c']) {
          progress({ phase: 'upload', percent: i / 3, detail: { key: device, bytesSent: i } });
        }
      }
      return null;
    });
    await done;
    const keys = events.flatMap((e) =>
      e.name === 'job.progress' && e.payload.detail ? [e.payload.detail.key] : [],
    );
    expect(new Set(keys)).toEqual(new Set(['a', 'b', 'c']));
    expect(keys.length).toBeLessThan(60);
  });
});
