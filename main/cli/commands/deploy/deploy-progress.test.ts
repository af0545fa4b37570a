import { describe, expect, it } from 'vitest';
import type { DeployProgress } from '../../../../shared/schemas/deploy';
import type { CliIo } from '../../cli-context';
import { deployProgressView } from './deploy-progress';

function io(tty: boolean): CliIo & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => undefined, stderr: (t) => err.push(t), stderrIsTty: tty };
}

const event = (over: Partial<DeployProgress>): DeployProgress => ({
  deploymentId: 'd_1',
  deviceId: 'a',
  deviceName: 'pi-1',
  step: 'connect',
  status: 'running',
  bytesSent: 0,
  bytesTotal: 1000,
  bytesPerSec: 0,
  devicesDone: 0,
  devicesTotal: 2,
  ...over,
});

describe('deploy progress on stderr', () => {
  it('writes one line per device step change when stderr is not a terminal', () => {
    const out = io(false);
    const view = deployProgressView(out, false);
    view.update(event({}));
    view.update(event({ step: 'upload', bytesSent: 10 }));
    view.update(event({ step: 'upload', bytesSent: 500 }));
    view.update(
      event({ deviceId: 'b', deviceName: 'pi-2', status: 'failed', devicesDone: 1, message: 'boom' }),
    );
    view.update(event({ step: 'done', status: 'deployed', devicesDone: 2 }));
    view.end();
    expect(out.err).toEqual([
      '[0/2] pi-1: connect\n',
      '[0/2] pi-1: upload 1.00 KB\n',
      '[1/2] pi-2: failed (boom)\n',
      '[2/2] pi-1: deployed\n',
    ]);
  });

  it('redraws a live block with a row per device on a terminal', () => {
    const out = io(true);
    const view = deployProgressView(out, false);
    view.update(event({ step: 'upload', bytesSent: 500, bytesPerSec: 2000 }));
    view.update(
      event({ deviceId: 'b', deviceName: 'pi-2', status: 'failed', devicesDone: 1, message: 'boom' }),
    );
    view.update(event({ step: 'done', status: 'deployed', devicesDone: 2 }));
    view.end();
    const last = out.err.at(-1) ?? '';
    // The block moves the cursor back over its previous 3 lines and draws them again.
    expect(last.startsWith('\x1b[3A')).toBe(true);
    expect(last).toContain('deploy 100%  2/2 devices done');
    expect(last).toMatch(/pi-1\s+deployed/);
    expect(last).toContain('pi-2    failed: boom');
    expect(out.err.join('')).toMatch(/pi-1\s+upload \[#{10}\.{10}\] 500 B\/1\.00 KB 2\.00 KB\/s/);
  });

  it('stays silent with --json', () => {
    const out = io(true);
    const view = deployProgressView(out, true);
    view.update(event({}));
    view.end();
    expect(out.err).toEqual([]);
  });
});
