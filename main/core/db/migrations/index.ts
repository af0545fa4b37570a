import type { Migration } from '../migration';
import { modelsMigration } from './0010-models';
import { modelReportsMigration } from './0020-model-reports';

/** In version order. Add new files here; never reorder or edit released ones. */
export const migrations: readonly Migration[] = [modelsMigration, modelReportsMigration];
