import type { Migration } from '../migration';
import { modelsMigration } from './0010-models';
import { modelReportsMigration } from './0020-model-reports';
import { devicesMigration } from './0030-devices';
import { deploymentsMigration } from './0040-deployments';
import { benchmarksMigration } from './0050-benchmarks';
import { fileChecksMigration } from './0060-file-checks';

/** In version order. Add new files here; never reorder or edit released ones. */
export const migrations: readonly Migration[] = [
  modelsMigration,
  modelReportsMigration,
  devicesMigration,
  deploymentsMigration,
  benchmarksMigration,
  fileChecksMigration,
];
