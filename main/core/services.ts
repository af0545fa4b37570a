import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Database } from './db/open-database';
import { FileGrants } from './files/file-grants';
import { JobManager } from './jobs/job-manager';
import { createFileLogger, type Logger } from './logger';
import { ModelRepository } from './models/model-repository';
import { ModelService } from './models/model-service';
import { ModelStore } from './store/model-store';

export type ServicesOptions = { dataDir: string; logger?: Logger };

export type Services = {
  dataDir: string;
  logger: Logger;
  db: Database;
  store: ModelStore;
  models: ModelService;
  jobs: JobManager;
  files: FileGrants;
  close(): Promise<void>;
};

/** Everything the app does, in plain Node: the Electron shell, the web host and the CLI all start here. */
export function createServices({ dataDir, logger }: ServicesOptions): Services {
  mkdirSync(dataDir, { recursive: true });
  const log = logger ?? createFileLogger(dataDir);
  const db = openDatabase(join(dataDir, 'edgefleet.db'));
  const store = new ModelStore(join(dataDir, 'models'));
  const jobs = new JobManager();
  const files = new FileGrants(join(dataDir, 'tmp', 'uploads'));
  const models = new ModelService(new ModelRepository(db), store, log);
  return {
    dataDir,
    logger: log,
    db,
    store,
    models,
    jobs,
    files,
    async close() {
      jobs.cancelAll();
      await files.releaseAll();
      db.close();
    },
  };
}
