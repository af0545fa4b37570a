import { describe, expect, it } from 'vitest';
import { WriteWindow } from './sftp-transfer';

/** Acks of a simulated path: `pathMs` of latency and a device that consumes one write every `serviceMs`. */
function simulate(pathMs: number, serviceMs: number, writes: number): number[] {
  const window = new WriteWindow();
  const limits: number[] = [];
  let now = 0;
  let deviceFree = 0;
  const inflight: { sentAt: number; ackAt: number }[] = [];
  for (let sent = 0; sent < writes;) {
    while (inflight.length < window.limit && sent < writes) {
      const arrive = now + pathMs / 2;
      deviceFree = Math.max(deviceFree, arrive) + serviceMs;
      inflight.push({ sentAt: now, ackAt: deviceFree + pathMs / 2 });
      sent += 1;
    }
    inflight.sort((a, b) => a.ackAt - b.ackAt);
    const done = inflight.shift();
    if (done === undefined) break;
    now = done.ackAt;
    window.acked(done.ackAt - done.sentAt);
    limits.push(window.limit);
  }
  return limits;
}

describe('SFTP write window', () => {
  it('stays small where the device, not the path, is the limit (a LAN, loopback)', () => {
    const limits = simulate(0.1, 0.1, 640);
    expect(Math.max(...limits)).toBeLessThanOrEqual(10);
    expect(limits.at(-1)).toBe(8);
  });

  it('grows to fill a long path (a WAN), and no further than the path holds', () => {
    // 50 ms of round trip, 0.5 ms per write (~65 MB/s): about 100 writes fit in the path.
    const wan = simulate(50, 0.5, 4000);
    expect(Math.max(...wan)).toBe(64);
    // 50 ms and 5 ms per write: the path holds ~10 writes, so the window stops near there.
    const slow = simulate(50, 5, 2000);
    expect(slow.at(-1)).toBeGreaterThanOrEqual(10);
    expect(slow.at(-1)).toBeLessThanOrEqual(20);
  });
});
