import type { Database } from 'better-sqlite3';

/** One schema step. Versions only increase; a released migration is never edited. */
export type Migration = {
  version: number;
  name: string;
  up(db: Database): void;
};
