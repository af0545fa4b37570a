import type { JobMethod } from '../../../shared/contract';
import { createStore } from '../lib/session-store';

/** What the UI shows about a job this window started (header indicator, page progress bars). */
export type ActiveJob = {
  /** Local key: exists before main has answered with a jobId. */
  key: number;
  jobId: string | null;
  method: JobMethod;
  label: string;
  phase: string;
  percent: number | null;
  message?: string;
};

/**
 * A tiny external store (for React's useSyncExternalStore): snapshots are new arrays on each change, so
 * components re-render only when something changed.
 */
export type JobStore = {
  subscribe(listener: () => void): () => void;
  getSnapshot(): readonly ActiveJob[];
  add(job: Omit<ActiveJob, 'key'>): number;
  update(key: number, patch: Partial<Omit<ActiveJob, 'key'>>): void;
  remove(key: number): void;
};

export function createJobStore(): JobStore {
  const store = createStore<readonly ActiveJob[]>([]);
  const set = store.set;
  let nextKey = 1;
  return {
    subscribe: store.subscribe,
    getSnapshot: store.get,
    add(job) {
      const jobs = store.get();
      const key = nextKey++;
      set([...jobs, { ...job, key }]);
      return key;
    },
    update(key, patch) {
      const jobs = store.get();
      if (!jobs.some((job) => job.key === key)) return;
      set(jobs.map((job) => (job.key === key ? { ...job, ...patch } : job)));
    },
    remove(key) {
      const jobs = store.get();
      if (!jobs.some((job) => job.key === key)) return;
      set(jobs.filter((job) => job.key !== key));
    },
  };
}
