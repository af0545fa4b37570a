import { makePrivateDir, makePrivateFiles } from './data-dir-access';
import { join } from 'node:path';
// Not through './bench': its index re-exports the estimator, which parses ONNX at load.
import { BenchService } from './bench/bench-service';
import { ProfileRepository } from './bench/profiles/profile-repository';
import { BenchRepository } from './bench/store/bench-repository';
import { openDatabase, type Database } from './db/open-database';
import { DeployService } from './deploy/deploy-service';
import { FileGrants } from './files/file-grants';
import { DeviceRepository, type SecretStore } from './fleet/devices';
import { FleetService } from './fleet/service';
import { JobManager } from './jobs/job-manager';
import { createFileLogger, type Logger } from './logger';
import { ModelRepository } from './models/model-repository';
import { ModelService } from './models/model-service';
import { ModelStore } from './store/model-store';
import { OptimizeService } from './optimize/optimize-service';

type ServicesOptions = {
  dataDir: string;
  logger?: Logger;
  /** Where device passwords given at use are kept (Electron: safeStorage); default memory only. */
  secrets?: SecretStore;
};

export type Services = {
  dataDir: string;
  logger: Logger;
  db: Database;
  store: ModelStore;
  models: ModelService;
  optimize: OptimizeService;
  fleet: FleetService;
  bench: BenchService;
  /** Deploy, rollback, drift, status and history, by model and device names or ids. */
  deploy: DeployService;
  jobs: JobManager;
  files: FileGrants;
  close(): Promise<void>;
};

/** Everything the app does, in plain Node: the Electron shell, the web host and the CLI all start here. */
export function createServices({ dataDir, logger, secrets }: ServicesOptions): Services {
  makePrivateDir(dataDir);
  const log = logger ?? createFileLogger(dataDir);
  const dbPath = join(dataDir, 'edgefleet.db');
  const db = openDatabase(dbPath);
  // SQLite and the logger create their files with the umask (0644 usually): only the owner may read them.
  makePrivateFiles([dbPath, `${dbPath}-wal`, `${dbPath}-shm`, join(dataDir, 'logs', 'edgefleet.log')]);
  const store = new ModelStore(join(dataDir, 'models'));
  const jobs = new JobManager();
  const files = new FileGrants(join(dataDir, 'tmp', 'uploads'));
  const models = new ModelService(new ModelRepository(db), store, log);
  // The auto search estimates on a hardware profile with the benchmark's estimator (bench is built below;
  // the function only runs once a search asks for a profile).
  const optimize = new OptimizeService(models, join(dataDir, 'tmp'), log, {
    estimationTarget: (id, signal) => bench.estimationTarget(id, signal),
  });
  const fleet = new FleetService(new DeviceRepository(db), {
    logger: log,
    secrets,
  });
  const bench = new BenchService(
    models,
    new BenchRepository(db),
    new ProfileRepository(db),
    join(dataDir, 'tmp'),
    log,
    {
      devices: (ref) => {
        const device = fleet.get(ref);
        return {
          name: device.name,
          target: fleet.sshTarget(device),
          deployRoot: device.deployRoot,
          facts: device.probe?.facts ?? null,
          profileId: device.profile,
        };
      },
    },
  );
  // Opening marks deployments a dead process left running as interrupted.
  const deploy = DeployService.open({ db, fleet, models, logger: log });
  return {
    dataDir,
    logger: log,
    db,
    store,
    models,
    optimize,
    fleet,
    bench,
    deploy,
    jobs,
    files,
    async close() {
      jobs.cancelAll();
      await files.releaseAll();
      db.close();
    },
  };
}
