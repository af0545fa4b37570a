import type { Migration } from '../migration';

/** Variants carry the optimizer's report (pass report + fidelity) next to their recipe. */
export const modelReportsMigration: Migration = {
  version: 20,
  name: 'model-reports',
  up(db) {
    db.exec('ALTER TABLE models ADD COLUMN report_json TEXT');
  },
};
