import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../main/core/onnx/builder';
import { createSilentLogger } from '../main/core/logger';
import { createServices } from '../main/core/services';
import { deploymentReportSchema } from '../shared/schemas/deploy';
import { createRng, randomFloats } from '../test/models/prng';
import { writeTestModel } from '../test/models/write-test-model';
import type { SshdDevice } from '../test/fixtures/sshd';

/**
 * The deploy as a user types it: `edgefleet deploy bench-model --to all`, a fresh process each time (start-up,
 * database, inventory and pinned host keys included). The model is a real ONNX file of about `sizeBytes`
 * (one MatMul whose weight fills it), imported and the devices added and trusted in-process first.
 */

const bin = fileURLToPath(new URL('../bin/edgefleet.js', import.meta.url));

export type CliDeployRun = { ms: number; statuses: string[] };

function edgefleet(dataDir: string, args: string[]): Promise<{ ms: number; stdout: string; code: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, '--data-dir', dataDir, ...args],
      { encoding: 'utf8', env: { ...process.env, EDGEFLEET_HOME: '' }, maxBuffer: 64 * 2 ** 20 },
      (err, stdout) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 3;
        resolve({ ms: performance.now() - t0, stdout, code });
      },
    );
  });
}

/** A one-MatMul model whose float32 weight makes the file about `sizeBytes` long. */
async function writeSizedModel(path: string, sizeBytes: number): Promise<void> {
  const cols = 2048;
  const rows = Math.max(1, Math.round(sizeBytes / 4 / cols));
  const model = createModelBuilder({
    opset: 13,
    irVersion: 8,
    producer: { name: 'edgefleet-bench', version: '1' },
  })
    .input('x', DT.FLOAT, [1, rows])
    .output('y', DT.FLOAT, [1, cols])
    .initializer('w', DT.FLOAT, [rows, cols], randomFloats(createRng(5), rows * cols, 0.01))
    .node('MatMul', ['x', 'w'], ['y'])
    .build();
  await writeTestModel(model, path);
}

/** Sets up the data directory: the model imported, one device per sshd, every host key trusted. */
export async function prepareCliFleet(work: string, sshds: SshdDevice[], sizeBytes: number): Promise<string> {
  const dataDir = join(work, 'cli-data');
  const services = createServices({ dataDir, logger: createSilentLogger() });
  try {
    const path = join(work, 'bench-model.onnx');
    await writeSizedModel(path, sizeBytes);
    await services.models.importFile(path, { name: 'bench-model' });
    sshds.forEach((sshd, i) =>
      services.fleet.add({
        name: `fleet-${i}`,
        host: sshd.host,
        port: sshd.port,
        user: sshd.username,
        keyPath: sshd.clientKeyPath,
        deployRoot: join(work, 'cli-roots', `device-${i}`),
        tags: ['bench'],
      }),
    );
    const trusted = await services.fleet.trust(
      ['tag:bench'],
      sshds.map((s) => s.hostFingerprint),
    );
    if (!trusted.every((t) => t.ok)) throw new Error('could not trust the bench devices');
  } finally {
    await services.close();
  }
  return dataDir;
}

export async function cliDeploy(dataDir: string, concurrency: number): Promise<CliDeployRun> {
  const r = await edgefleet(dataDir, [
    'deploy',
    'bench-model',
    '--to',
    'tag:bench',
    '--concurrency',
    String(concurrency),
    '--json',
  ]);
  if (r.code !== 0) throw new Error(`edgefleet deploy exited ${r.code}: ${r.stdout.slice(0, 500)}`);
  const report = deploymentReportSchema.parse(JSON.parse(r.stdout));
  return { ms: r.ms, statuses: report.devices.map((d) => d.status) };
}
