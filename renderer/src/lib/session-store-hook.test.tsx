// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createStore, patch, useSession } from './session-store';

function counter() {
  const store = createStore({ count: 0 });
  return {
    subscribe: store.subscribe,
    get: store.get,
    increment() {
      patch(store, { count: store.get().count + 1 });
    },
  };
}

describe('useSession', () => {
  it('spreads the value beside the actions and re-renders on change', () => {
    const session = counter();
    const { result } = renderHook(() => useSession<{ count: number }, typeof session>(session));
    expect(result.current.count).toBe(0);
    act(() => result.current.increment());
    expect(result.current.count).toBe(1);
    expect('subscribe' in result.current).toBe(false);
  });
});
