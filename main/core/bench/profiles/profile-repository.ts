import type { Database } from 'better-sqlite3';
import type { HardwareProfile } from '../../../../shared/schemas/bench';
import { hardwareProfileSchema } from '../../../../shared/schemas/bench';

type ProfileRow = { id: string; json: string };

/** User hardware profiles (built-ins live in code, "this machine" is measured): SQL only, no validation. */
export class ProfileRepository {
  constructor(private readonly db: Database) {}

  list(): HardwareProfile[] {
    const rows = this.db.prepare('SELECT id, json FROM hardware_profiles ORDER BY id').all() as ProfileRow[];
    return rows.map((r) => hardwareProfileSchema.parse(JSON.parse(r.json)));
  }

  byId(id: string): HardwareProfile | undefined {
    const row = this.db.prepare('SELECT id, json FROM hardware_profiles WHERE id = ?').get(id) as
      ProfileRow | undefined;
    return row && hardwareProfileSchema.parse(JSON.parse(row.json));
  }

  /** Inserts or replaces; says which. */
  upsert(profile: HardwareProfile, sourceFile: string | null): 'added' | 'updated' {
    const now = new Date().toISOString();
    const exists = this.byId(profile.id) !== undefined;
    this.db
      .prepare(
        `INSERT INTO hardware_profiles (id, json, source_file, imported_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET json = excluded.json, source_file = excluded.source_file,
           updated_at = excluded.updated_at`,
      )
      .run(profile.id, JSON.stringify(profile), sourceFile, now, now);
    return exists ? 'updated' : 'added';
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM hardware_profiles WHERE id = ?').run(id).changes > 0;
  }
}
