import type { QueryClient } from '@tanstack/react-query';
import type { AppError, AppErrorData } from '../../../../shared/errors';
import { toAppError } from '../../../../shared/errors';
import type { ProbeOutcome, StatusOutcome } from '../../../../shared/schemas/fleet';
import type { JobProgress } from '../../../../shared/schemas/jobs';
import type { Client, RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { createStore, perKey, throttleLatest, useStoreValue } from '../../lib/session-store';
import { statusLabels } from './device-filter';

/** The bulk operations that run as jobs over SSH. */
export type OpKind = 'probe' | 'status';

export const opLabels: Record<OpKind, { running: string; imperative: string; done: string }> = {
  probe: { running: 'Probing', imperative: 'probe', done: 'Probed' },
  status: { running: 'Checking', imperative: 'check', done: 'Checked' },
};

/** One device's result, in the words the panel shows. */
export type OpOutcome = {
  deviceId: string;
  device: string;
  ok: boolean;
  /** "online, 3.2 ms", "auth failed", "probed" … */
  summary: string;
  error: AppErrorData | null;
};

export type OpState =
  | { status: 'idle' }
  | {
      status: 'running';
      seq: number;
      kind: OpKind;
      count: number;
      phase: string;
      percent: number | null;
      message?: string;
    }
  | { status: 'done'; seq: number; kind: OpKind; count: number; outcomes: OpOutcome[] }
  | { status: 'failed'; seq: number; kind: OpKind; count: number; error: AppError };

export type OpsStore = {
  subscribe(listener: () => void): () => void;
  get(): OpState;
  /** Runs probe or status on these device ids; resolves with the final state when it ended (never rejects). */
  start(kind: OpKind, ids: readonly string[], queryClient: QueryClient): Promise<OpState>;
  cancel(): void;
  dismiss(): void;
};

function fromStatus(o: StatusOutcome): OpOutcome {
  const latency = o.latencyMs === null ? '' : `, ${o.latencyMs} ms`;
  return {
    deviceId: o.deviceId,
    device: o.device,
    ok: o.ok,
    summary: `${statusLabels[o.state]}${latency}`,
    error: o.error,
  };
}

function fromProbe(o: ProbeOutcome): OpOutcome {
  if (!o.ok) return { deviceId: o.deviceId, device: o.device, ok: false, summary: 'failed', error: o.error };
  const f = o.facts;
  const what = [f.os.prettyName, f.arch, f.cpu.cores === null ? null : `${f.cpu.cores} cores`]
    .filter((s) => s !== null)
    .join(' · ');
  return { deviceId: o.deviceId, device: o.device, ok: true, summary: what || 'probed', error: null };
}

/**
 * The page's bulk operation, one per client (window): a probe of 2,000 devices goes on, and its results wait,
 * while the user looks at other pages.
 */
export function createOpsStore(client: Client): OpsStore {
  const store = createStore<OpState>({ status: 'idle' });
  const set = store.set;
  let seq = 0;
  let job: RunningJob<unknown> | null = null;

  return {
    subscribe: store.subscribe,
    get: store.get,
    async start(kind, ids, queryClient) {
      if (store.get().status === 'running') return store.get();
      const mine = ++seq;
      const count = ids.length;
      set({ status: 'running', seq: mine, kind, count, phase: 'starting', percent: null });
      // Many devices report many times a second: show the latest at most every 100 ms.
      const progress = throttleLatest(100, (p: JobProgress) => {
        const state = store.get();
        if (state.status === 'running' && state.seq === mine) {
          set({ ...state, phase: p.phase, percent: p.percent, message: p.message });
        }
      });
      const label = `${opLabels[kind].running} ${count === 1 ? '1 device' : `${count} devices`}`;
      try {
        let outcomes: OpOutcome[];
        if (kind === 'probe') {
          const running = client.runJob(
            'devices.probe',
            { targets: [...ids] },
            { label, onProgress: progress.push },
          );
          job = running;
          outcomes = (await running.promise).map(fromProbe);
        } else {
          const running = client.runJob(
            'devices.status',
            { targets: [...ids] },
            { label, onProgress: progress.push },
          );
          job = running;
          outcomes = (await running.promise).map(fromStatus);
        }
        set({ status: 'done', seq: mine, kind, count, outcomes });
      } catch (err) {
        set({ status: 'failed', seq: mine, kind, count, error: toAppError(err) });
      } finally {
        progress.stop();
        job = null;
        // Probes and checks are stored by main, also those a cancel cut short: show what is known now.
        await queryClient.invalidateQueries({ queryKey: callKey('devices.list') });
      }
      return store.get();
    },
    cancel() {
      void job?.cancel().catch((err: unknown) => {
        const state = store.get();
        if (state.status === 'running') set({ ...state, status: 'failed', error: toAppError(err) });
      });
    },
    dismiss() {
      const { status } = store.get();
      if (status === 'done' || status === 'failed') set({ status: 'idle' });
    },
  };
}

const storeFor = perKey(createOpsStore);

export function useFleetOps(): { op: OpState } & Pick<OpsStore, 'start' | 'cancel' | 'dismiss'> {
  const store = storeFor(useClient());
  const op = useStoreValue(store);
  return { op, start: store.start, cancel: store.cancel, dismiss: store.dismiss };
}

/** Devices whose operation stopped at an unknown host key: the trust prompt follows. */
export function untrustedIn(outcomes: readonly OpOutcome[]): string[] {
  return outcomes.filter((o) => o.error?.code === 'HOST_KEY_UNKNOWN').map((o) => o.deviceId);
}

/** A password or passphrase main asked for (SECRET_REQUIRED), one per device or key file. */
export type SecretNeed = {
  kind: 'password' | 'passphrase';
  /** The device to give it for (a passphrase is kept per key file, so any device using it will do). */
  deviceId: string;
  deviceIds: string[];
  label: string;
};

export function secretNeedsIn(outcomes: readonly OpOutcome[]): SecretNeed[] {
  const needs = new Map<string, SecretNeed>();
  for (const o of outcomes) {
    if (o.error?.code !== 'SECRET_REQUIRED') continue;
    const details = (
      typeof o.error.details === 'object' && o.error.details !== null ? o.error.details : {}
    ) as Record<string, unknown>;
    const kind = details['kind'] === 'passphrase' ? 'passphrase' : 'password';
    const keyPath = typeof details['keyPath'] === 'string' ? details['keyPath'] : '';
    const key = kind === 'passphrase' ? `k:${keyPath}` : `d:${o.deviceId}`;
    const existing = needs.get(key);
    if (existing) existing.deviceIds.push(o.deviceId);
    else
      needs.set(key, {
        kind,
        deviceId: o.deviceId,
        deviceIds: [o.deviceId],
        label: kind === 'passphrase' ? `Passphrase of the key ${keyPath}` : `Password of ${o.device}`,
      });
  }
  return [...needs.values()];
}
