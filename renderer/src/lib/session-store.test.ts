import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore, patch, perKey, throttle, throttleLatest } from './session-store';

describe('createStore', () => {
  it('tells every listener of a change and stops after unsubscribe', () => {
    const store = createStore({ n: 0, label: 'a' });
    const heard: number[] = [];
    const stop = store.subscribe(() => heard.push(store.get().n));
    store.subscribe(() => heard.push(-store.get().n));
    store.set({ n: 1, label: 'a' });
    stop();
    patch(store, { n: 2 });
    expect(heard).toEqual([1, -1, -2]);
    expect(store.get()).toEqual({ n: 2, label: 'a' });
  });

  it('gives a new snapshot on change and the same one otherwise (for useSyncExternalStore)', () => {
    const store = createStore({ n: 0 });
    const before = store.get();
    expect(store.get()).toBe(before);
    patch(store, { n: 1 });
    expect(store.get()).not.toBe(before);
  });

  it('survives a listener that unsubscribes itself while being called', () => {
    const store = createStore(0);
    const heard: string[] = [];
    const stop = store.subscribe(() => {
      heard.push('first');
      stop();
    });
    store.subscribe(() => heard.push('second'));
    store.set(1);
    store.set(2);
    expect(heard).toEqual(['first', 'second', 'second']);
  });
});

describe('perKey', () => {
  it('makes one instance per key and keeps keys apart', () => {
    const make = vi.fn((key: { name: string }) => createStore(key.name));
    const storeFor = perKey(make);
    const a = { name: 'a' };
    const b = { name: 'b' };
    expect(storeFor(a)).toBe(storeFor(a));
    expect(storeFor(b)).not.toBe(storeFor(a));
    storeFor(a).set('changed');
    expect(storeFor(b).get()).toBe('b');
    expect(make).toHaveBeenCalledTimes(2);
  });
});

describe('throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes the first value at once, then the latest at most every interval', () => {
    const seen: number[] = [];
    const t = throttleLatest<number>(100, (v) => seen.push(v));
    t.push(1);
    t.push(2);
    t.push(3);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(99);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1, 3]);
    vi.advanceTimersByTime(500);
    t.push(4);
    expect(seen).toEqual([1, 3, 4]);
  });

  it('without leading, batches every value from the first push until the interval ends', () => {
    const batches: string[][] = [];
    const t = throttle<string>(100, (values) => batches.push(values), { leading: false });
    t.push('a');
    t.push('b');
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([['a', 'b']]);
    t.push('c');
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('flush delivers what is pending now; stop drops it', () => {
    const batches: number[][] = [];
    const t = throttle<number>(100, (values) => batches.push(values), { leading: false });
    t.push(1);
    t.flush();
    expect(batches).toEqual([[1]]);
    t.push(2);
    t.stop();
    vi.advanceTimersByTime(1000);
    t.flush();
    expect(batches).toEqual([[1]]);
  });
});
