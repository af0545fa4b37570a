import type { Database } from 'better-sqlite3';
import { modelSummarySchema, type Model } from '../../../shared/schemas/models';
import { variantReportSchema, type VariantReport } from '../../../shared/schemas/optimize';

type ModelRow = {
  id: string;
  name: string;
  sha256: string;
  size_bytes: number;
  source_file_name: string;
  imported_at: string;
  parent_id: string | null;
  method: string | null;
  recipe_json: string | null;
  summary_json: string;
  report_json: string | null;
};

type NewModel = Model;

function fromRow(row: ModelRow): Model {
  return {
    id: row.id,
    name: row.name,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    sourceFileName: row.source_file_name,
    importedAt: row.imported_at,
    parentId: row.parent_id,
    method: row.method,
    recipe: row.recipe_json === null ? null : (JSON.parse(row.recipe_json) as unknown),
    report: row.report_json === null ? null : variantReportSchema.parse(JSON.parse(row.report_json)),
    summary: modelSummarySchema.parse(JSON.parse(row.summary_json)),
  };
}

/** SQL for the models table; no file handling (that is the store's) and no validation. */
export class ModelRepository {
  constructor(private readonly db: Database) {}

  list(): Model[] {
    const rows = this.db.prepare('SELECT * FROM models ORDER BY imported_at DESC, name').all() as ModelRow[];
    return rows.map(fromRow);
  }

  byId(id: string): Model | undefined {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    return row && fromRow(row);
  }

  byName(name: string): Model | undefined {
    const row = this.db.prepare('SELECT * FROM models WHERE name = ?').get(name) as ModelRow | undefined;
    return row && fromRow(row);
  }

  bySha256(sha256: string): Model | undefined {
    const row = this.db.prepare('SELECT * FROM models WHERE sha256 = ?').get(sha256) as ModelRow | undefined;
    return row && fromRow(row);
  }

  nameExists(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM models WHERE name = ?').get(name) !== undefined;
  }

  childIds(id: string): string[] {
    return (this.db.prepare('SELECT id FROM models WHERE parent_id = ?').all(id) as { id: string }[]).map(
      (r) => r.id,
    );
  }

  countBySha256(sha256: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM models WHERE sha256 = ?').get(sha256) as { n: number })
      .n;
  }

  insert(m: NewModel): void {
    this.db
      .prepare(
        `INSERT INTO models (id, name, sha256, size_bytes, source_file_name, imported_at, parent_id, method,
                             recipe_json, report_json, summary_json)
         VALUES (@id, @name, @sha256, @sizeBytes, @sourceFileName, @importedAt, @parentId, @method,
                 @recipeJson, @reportJson, @summaryJson)`,
      )
      .run({
        id: m.id,
        name: m.name,
        sha256: m.sha256,
        sizeBytes: m.sizeBytes,
        sourceFileName: m.sourceFileName,
        importedAt: m.importedAt,
        parentId: m.parentId,
        method: m.method,
        recipeJson: m.recipe === null ? null : JSON.stringify(m.recipe),
        reportJson: m.report === null ? null : JSON.stringify(m.report),
        summaryJson: JSON.stringify(m.summary),
      });
  }

  updateReport(id: string, report: VariantReport): void {
    this.db.prepare('UPDATE models SET report_json = ? WHERE id = ?').run(JSON.stringify(report), id);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
  }
}
