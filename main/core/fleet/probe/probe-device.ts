import { randomBytes } from 'node:crypto';
import { AppError } from '../../../../shared/errors';
import type { ProbeFacts } from '../../../../shared/schemas/fleet';
import type { SshConnection } from '../ssh/connection';
import { parseProbeOutput } from './parse-probe-output';
import { probeScript } from './probe-script';

export type ProbeOptions = {
  /** Absolute remote directory that holds `<model>/current`; need not exist yet. */
  deployRoot: string;
  signal?: AbortSignal;
  /** Default 60 s: importing onnxruntime on a slow SD card takes a while. */
  timeoutMs?: number;
};

const defaultProbeTimeoutMs = 60_000;

/** Everything EdgeFleet needs to know about a device, in one script and one round trip. */
export async function probeDevice(conn: SshConnection, options: ProbeOptions): Promise<ProbeFacts> {
  const { deployRoot } = options;
  if (!deployRoot.startsWith('/')) {
    throw new AppError(
      'BAD_REQUEST',
      `The deploy root "${deployRoot}" must be an absolute path on the device, like /opt/edgefleet.`,
    );
  }
  // A fresh tag per run: no file on the device can forge a section boundary of this output.
  const tag = randomBytes(8).toString('hex');
  const result = await conn.exec(
    { script: probeScript, args: [deployRoot, tag] },
    {
      timeoutMs: options.timeoutMs ?? defaultProbeTimeoutMs,
      signal: options.signal,
    },
  );
  return parseProbeOutput(result.stdout);
}
