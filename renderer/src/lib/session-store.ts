import { useSyncExternalStore } from 'react';

/**
 * The one way renderer state lives outside React: a value, its listeners, and a hook that re-renders on
 * change. Sessions (optimize, bench, deploy, fleet and history operations) keep their run here so it goes on,
 * and its result waits, while the user looks at other pages.
 */
type Store<S> = {
  subscribe(listener: () => void): () => void;
  get(): S;
  /** Replaces the value; every listener hears of it. */
  set(next: S): void;
};

export function createStore<S>(initial: S): Store<S> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get: () => value,
    set(next) {
      value = next;
      // A copy: a listener may unsubscribe (or subscribe another) while we call them.
      for (const listener of [...listeners]) listener();
    },
  };
}

/** Merges a patch into an object value: the common case for sessions with a form and a run. */
export function patch<S extends object>(store: Store<S>, change: Partial<S>): void {
  store.set({ ...store.get(), ...change });
}

/**
 * One instance per key, made on first use. Keyed by the client (one per window), so two windows, or two
 * tests, never share a run; a WeakMap so a dropped client takes its sessions with it.
 */
export function perKey<K extends object, T>(create: (key: K) => T): (key: K) => T {
  const instances = new WeakMap<K, T>();
  return (key) => {
    let instance = instances.get(key);
    if (instance === undefined) {
      instance = create(key);
      instances.set(key, instance);
    }
    return instance;
  };
}

type Readable<S> = Pick<Store<S>, 'subscribe' | 'get'>;

/** The store's current value; the component re-renders when it changes. */
export function useStoreValue<S>(store: Readable<S>): S {
  return useSyncExternalStore(store.subscribe, store.get);
}

/** A session's value spread out, beside its actions (everything on the store but subscribe and get). */
export function useSession<S extends object, T extends Readable<S>>(store: T): S & Actions<T> {
  const value = useStoreValue<S>(store);
  const { subscribe: _subscribe, get: _get, ...actions } = store;
  return { ...value, ...actions };
}

export type Actions<T> = Omit<T, 'subscribe' | 'get'>;

type Throttle<T> = {
  push(value: T): void;
  /** Delivers what is pending now (before a final state, so nothing is lost). */
  flush(): void;
  /** Drops what is pending; nothing more is delivered until the next push. */
  stop(): void;
};

type ThrottleOptions = {
  /** Deliver the first value at once (true) or only after `ms`, batched with what follows (false). */
  leading?: boolean;
  /** Keep only the newest pending value (a progress bar), not all of them (per-device rows). */
  latestOnly?: boolean;
};

/**
 * Job progress arrives far faster than anyone reads it (calibration reports every sample, 50 devices
 * uploading send ~500 events a second): deliver at most every `ms`. `deliver` gets every value pushed since
 * the last delivery, oldest first; callers that want only the latest take the last one.
 */
export function throttle<T>(
  ms: number,
  deliver: (values: T[]) => void,
  { leading = true, latestOnly = false }: ThrottleOptions = {},
): Throttle<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: T[] = [];
  let last = Number.NEGATIVE_INFINITY;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const values = pending;
    pending = [];
    last = Date.now();
    deliver(values);
  };
  return {
    push(value) {
      if (latestOnly) pending = [value];
      else pending.push(value);
      if (timer !== null) return;
      const wait = leading ? Math.max(0, last + ms - Date.now()) : ms;
      if (wait === 0) flush();
      else timer = setTimeout(flush, wait);
    },
    flush,
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = [];
    },
  };
}

/** A throttle that passes on only the latest value: for a progress bar, older values are already stale. */
export function throttleLatest<T>(ms: number, deliver: (value: T) => void): Throttle<T> {
  return throttle<T>(
    ms,
    (values) => {
      if (values.length > 0) deliver(values[values.length - 1] as T);
    },
    { latestOnly: true },
  );
}
