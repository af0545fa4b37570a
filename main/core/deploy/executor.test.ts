import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { deployStepSchema, type DeployStep } from '../../../shared/schemas/deploy';
import { planTarget } from '../../../test/fixtures/deploy-plan';
import { ConnectionPool } from '../fleet/ssh';
import { DeviceRun } from './device-run';
import { walkDevice, type StepRunner, type StepRunners } from './executor';
import { planDeploy, type DevicePlan } from './plan';
import type { DeployArtifact, DeployTarget } from './types';

/**
 * The executor walks a device's plan: the steps the plan lists, in its order, each with its own commands.
 * Here the plan is a real one (planDeploy) and the walk is the real walkDevice with a real DeviceRun; the
 * step runners only note what they were given, so no device is needed. The runners that talk SSH are run
 * against sshd by deploy.int.test.ts and deploy-faults.int.test.ts.
 */

const artifact: DeployArtifact = {
  modelName: 'detector',
  variantId: 'var-1',
  version: '20240501-123456',
  sha256: 'ab12cd34'.padEnd(64, '0'),
  sizeBytes: 1234,
  localPath: '/data/models/x.onnx',
  method: null,
  recipe: null,
  parentSha256: null,
};

function devicePlan(overrides: Partial<DeployTarget> = {}): DevicePlan {
  const [device] = planDeploy(artifact, [planTarget('dev-1', overrides)]).devices;
  if (device === undefined) throw new Error('no device planned');
  return device;
}

/** `step:command,command` for every step of a list, as the runners below note them. */
const described = (steps: DevicePlan['steps']) =>
  steps.map((s) => `${s.step}:${s.commands.map((c) => c.id)}`);

/** A runner for every step that notes the step and its commands; `special` replaces some of them. */
function noting(ran: string[], special: StepRunners = {}): StepRunners {
  const runners: StepRunners = {};
  for (const name of deployStepSchema.options) {
    const custom = special[name];
    const note: StepRunner['run'] = async (walk, step) => {
      ran.push(`${step.step}:${step.commands.map((c) => c.id)}`);
      return custom === undefined ? null : custom.run(walk, step);
    };
    runners[name] = { ...custom, run: note };
  }
  return runners;
}

async function walk(device: DevicePlan, runners: StepRunners, signal = new AbortController().signal) {
  const progress: DeployStep[] = [];
  const run = new DeviceRun(
    device.deviceId,
    device.deviceName,
    artifact.sizeBytes,
    (e) => {
      if (progress.at(-1) !== e.step) progress.push(e.step);
    },
    undefined,
  );
  const outcome = await walkDevice(device, run, { pool: new ConnectionPool({ signal }), signal }, runners);
  return { outcome, progress };
}

describe('executor: walking the plan', () => {
  it("runs the plan's steps in the plan's order, each with its own commands, and nothing else", async () => {
    const device = devicePlan();
    const ran: string[] = [];
    const { outcome, progress } = await walk(device, noting(ran));
    expect(ran).toEqual(described(device.steps));
    expect(ran).toEqual([
      'connect:',
      'preflight:peek,lock,preflight',
      'upload:',
      'verify:verify',
      'install:install',
      'switch:switch',
      'restart:restart',
      'health:health',
      'prune:prune',
    ]);
    expect(progress).toEqual([...device.steps.map((s) => s.step), 'done']);
    expect(outcome.status).toBe('deployed');
  });

  it('follows the order of the data, not one of its own', async () => {
    const device = devicePlan();
    const reordered = { ...device, steps: [...device.steps].reverse() };
    const ran: string[] = [];
    await walk(reordered, noting(ran));
    expect(ran).toEqual(described(device.steps).reverse());
  });

  it('runs no restart, health check or prune the plan does not have', async () => {
    const device = devicePlan({ restartCommand: null, healthCommand: null });
    const ran: string[] = [];
    await walk(device, noting(ran));
    expect(ran.map((r) => r.split(':')[0])).toEqual([
      'connect',
      'preflight',
      'upload',
      'verify',
      'install',
      'switch',
    ]);
  });

  it('passes over a step its runner skips, without progress for it', async () => {
    const ran: string[] = [];
    const skip = { skip: () => true, run: async () => null };
    const { progress } = await walk(devicePlan(), noting(ran, { upload: skip, verify: skip }));
    expect(ran.map((r) => r.split(':')[0])).not.toContain('upload');
    expect(progress).not.toContain('upload');
    expect(progress).not.toContain('verify');
    expect(progress).toContain('install');
  });

  it("after a failure past the switch, walks the plan's onFailure steps instead of the rest", async () => {
    const device = devicePlan();
    const ran: string[] = [];
    const { outcome } = await walk(
      device,
      noting(ran, {
        health: {
          run: async (w) => {
            w.failure = new AppError('HEALTH_CHECK_FAILED', 'unhealthy');
            return null;
          },
        },
        rollback: { run: async () => ({ status: 'rolled_back', error: null }) },
      }),
    );
    expect(ran.slice(-3)).toEqual(['restart:restart', 'health:health', 'rollback:undo-switch,restart']);
    expect(ran).not.toContain('prune:prune');
    expect(described(device.onFailure)).toEqual(['rollback:undo-switch,restart']);
    expect(outcome.status).toBe('rolled_back');
  });

  it('ends the device where a step says so', async () => {
    const ran: string[] = [];
    const { outcome } = await walk(
      devicePlan(),
      noting(ran, { preflight: { run: async () => ({ status: 'unchanged' }) } }),
    );
    expect(ran).toEqual(['connect:', 'preflight:peek,lock,preflight']);
    expect(outcome).toMatchObject({ status: 'unchanged', step: 'done' });
  });

  it('honours a cancel before every step up to the switch, and carries the device through after it', async () => {
    const early = new AbortController();
    const ranEarly: string[] = [];
    const cancelled = await walk(
      devicePlan(),
      noting(ranEarly, { verify: { run: async () => (early.abort(), null) } }),
      early.signal,
    );
    expect(ranEarly.at(-1)).toBe('verify:verify');
    expect(cancelled.outcome).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });

    const late = new AbortController();
    const ranLate: string[] = [];
    const carried = await walk(
      devicePlan(),
      noting(ranLate, { switch: { run: async () => (late.abort(), null) } }),
      late.signal,
    );
    expect(ranLate.slice(-3)).toEqual(['restart:restart', 'health:health', 'prune:prune']);
    expect(carried.outcome.status).toBe('deployed');
  });

  it('fails the device, naming the step, when the plan has a step no runner runs', async () => {
    const runners = noting([]);
    delete runners.verify;
    const { outcome } = await walk(devicePlan(), runners);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('verify') });
  });
});
