import type { AppError } from '../../../shared/errors';
import {
  okDeviceStatuses,
  type DeployLogLine,
  type DeployStep,
  type DeviceDeployStatus,
  type DeviceFacts,
} from '../../../shared/schemas/deploy';

/** What one device went through, as the executor saw it. */
export type DeviceOutcome = {
  deviceId: string;
  deviceName: string;
  status: DeviceDeployStatus;
  step: DeployStep | null;
  bytesSent: number;
  bytesTotal: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  stepDurationsMs: Record<string, number>;
  log: DeployLogLine[];
  error: AppError | null;
  releaseBefore: string | null;
  releaseAfter: string | null;
  facts: DeviceFacts | null;
};

export type DeviceProgressEvent = {
  deviceId: string;
  deviceName: string;
  step: DeployStep;
  status: DeviceDeployStatus;
  bytesSent: number;
  bytesTotal: number;
  bytesPerSec: number;
  message?: string;
};

/** The device's `current`/`previous` links changed (names without `releases/`). */
export type ReleaseChange = {
  kind: 'switched' | 'restored';
  current: string | null;
  previous: string | null;
  /** Facts about `current` when the executor knows them (the artifact, or the manifest it verified). */
  currentRef: { release: string; sha256: string; variantId: string | null; version: string | null } | null;
};

/** Where progress goes while a device runs; the service writes it to SQLite. */
export type DeviceRecorder = {
  stepStarted(outcome: DeviceOutcome): void;
  releaseChanged(deviceId: string, change: ReleaseChange): void;
  /**
   * The device already runs this release (nothing switched now). When the database says otherwise — a
   * process died between a switch and recording it — the record follows the device.
   */
  releaseFound?(deviceId: string, change: ReleaseChange): void;
};

const progressIntervalMs = 100;

/**
 * State of one device's run: the step reached, per-step durations, log lines and bytes. Every change is
 * reported (throttled for byte progress) so the UI and the database follow along.
 */
export class DeviceRun {
  readonly outcome: DeviceOutcome;
  private stepStarted = 0;
  private runStarted = 0;
  private uploadT0 = 0;
  private rate = 0;
  private lastProgressAt = 0;

  constructor(
    deviceId: string,
    deviceName: string,
    bytesTotal: number,
    private readonly emit: (event: DeviceProgressEvent) => void,
    private readonly recorder: DeviceRecorder | undefined,
  ) {
    this.outcome = {
      deviceId,
      deviceName,
      status: 'pending',
      step: null,
      bytesSent: 0,
      bytesTotal,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      stepDurationsMs: {},
      log: [],
      error: null,
      releaseBefore: null,
      releaseAfter: null,
      facts: null,
    };
  }

  begin(next: DeployStep, message?: string): void {
    const now = performance.now();
    if (this.outcome.status === 'pending') {
      this.outcome.status = 'running';
      this.outcome.startedAt = new Date().toISOString();
      this.runStarted = now;
    }
    this.closeStep(now);
    this.outcome.step = next;
    this.stepStarted = now;
    if (message !== undefined) this.log('info', message);
    this.recorder?.stepStarted(this.outcome);
    this.emitNow(message);
  }

  log(level: DeployLogLine['level'], message: string): void {
    this.outcome.log.push({
      at: new Date().toISOString(),
      step: this.outcome.step ?? 'connect',
      level,
      message,
    });
  }

  uploadStarted(): void {
    this.uploadT0 = performance.now();
    this.rate = 0;
    // The first bytes are reported at once: the UI shows the transfer has started.
    this.lastProgressAt = 0;
  }

  bytes(sent: number, total: number): void {
    this.outcome.bytesSent = sent;
    this.outcome.bytesTotal = total;
    const now = performance.now();
    const elapsed = (now - this.uploadT0) / 1000;
    if (this.uploadT0 > 0 && elapsed > 0) this.rate = sent / elapsed;
    if (now - this.lastProgressAt >= progressIntervalMs || sent === total) this.emitNow();
  }

  finish(status: DeviceDeployStatus, error: AppError | null = null): DeviceOutcome {
    const now = performance.now();
    this.closeStep(now);
    // Success ends at `done`; anything else keeps the step where it stopped.
    if (okDeviceStatuses.has(status)) this.outcome.step = 'done';
    this.outcome.status = status;
    this.outcome.error = error;
    this.outcome.finishedAt = new Date().toISOString();
    this.outcome.durationMs = this.outcome.startedAt === null ? 0 : now - this.runStarted;
    if (error !== null)
      this.log(status === 'cancelled' ? 'warn' : 'error', `${error.code}: ${error.message}`);
    this.emitNow(error?.message);
    return this.outcome;
  }

  private closeStep(now: number): void {
    const current = this.outcome.step;
    if (current === null || this.stepStarted === 0) return;
    const durations = this.outcome.stepDurationsMs;
    durations[current] = (durations[current] ?? 0) + (now - this.stepStarted);
    this.stepStarted = 0;
  }

  private emitNow(message?: string): void {
    this.lastProgressAt = performance.now();
    this.emit({
      deviceId: this.outcome.deviceId,
      deviceName: this.outcome.deviceName,
      step: this.outcome.step ?? 'connect',
      status: this.outcome.status,
      bytesSent: this.outcome.bytesSent,
      bytesTotal: this.outcome.bytesTotal,
      bytesPerSec: this.rate,
      message,
    });
  }
}
