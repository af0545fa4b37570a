import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMlp, writeTestModel } from '../../test/models';
import { createServices } from './services';

const work = mkdtempSync(join(tmpdir(), 'ef-data-dir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('data directory access', { timeout: 30_000 }, () => {
  it('creates the data dir 0700 and its database, log and model files 0600', async () => {
    const dataDir = join(work, 'fresh', 'EdgeFleet');
    const services = createServices({ dataDir });
    try {
      await writeTestModel(buildMlp(), join(work, 'mlp.onnx'));
      const { model } = await services.models.importFile(join(work, 'mlp.onnx'));
      expect(modeOf(dataDir)).toBe(0o700);
      for (const name of ['edgefleet.db', 'edgefleet.db-wal', 'edgefleet.db-shm']) {
        expect(modeOf(join(dataDir, name))).toBe(0o600);
      }
      expect(modeOf(join(dataDir, 'logs', 'edgefleet.log'))).toBe(0o600);
      expect(modeOf(services.models.pathOf(model))).toBe(0o600);
    } finally {
      await services.close();
    }
  });

  it('tightens an existing data dir and database that others could read', async () => {
    const dataDir = join(work, 'old');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    await createServices({ dataDir }).close();
    chmodSync(join(dataDir, 'edgefleet.db'), 0o644);
    const services = createServices({ dataDir });
    await services.close();
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'edgefleet.db'))).toBe(0o600);
    expect(readdirSync(dataDir)).toContain('edgefleet.db');
  });
});
