import { events, type AnyEvent } from '../../../shared/contract';

/**
 * Validates a pushed event (`{ name, payload }`) against the contract. Unknown names or bad payloads give
 * null: a newer host may send events this UI does not know yet, which must not break it.
 */
export function parseEvent(raw: unknown): AnyEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { name, payload } = raw as { name?: unknown; payload?: unknown };
  if (typeof name !== 'string' || !Object.hasOwn(events, name)) return null;
  const schema = events[name as keyof typeof events];
  const parsed = schema.safeParse(payload);
  if (!parsed.success) return null;
  // The name was checked against the same map the payload schema came from, so the pair is consistent.
  return { name, payload: parsed.data } as AnyEvent;
}
