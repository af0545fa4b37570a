import type { Migration } from '../migration';

/**
 * File checks: the sha256 a local file was verified to have, with the file's signature at that moment (size,
 * mtime and ctime in ns, inode, device). While the signature is the same the bytes are (every write moves
 * ctime, which no one can set back), so a deploy of a large model does not read it again each time.
 */
export const fileChecksMigration: Migration = {
  version: 60,
  name: 'file checks',
  up(db) {
    db.exec(`
      CREATE TABLE file_checks (
        path        TEXT PRIMARY KEY,
        sha256      TEXT NOT NULL,
        signature   TEXT NOT NULL,
        checked_at  TEXT NOT NULL
      );
    `);
  },
};
