import type { Device, ImportRow } from '../../../../shared/schemas/fleet';

/**
 * One device as a file describes it, before validation. `fields` holds only what the format carries, under
 * DeviceInput's names: absent = keep the current value on update, null = clear it. Values are unvalidated
 * (a port may still be the text "22a"); the importer validates every record before writing anything.
 */
export type InventoryRecord = {
  /** 1-based line of the record in the file. */
  line: number | null;
  name: string;
  fields: Record<string, unknown>;
  /** The device's tags as the file lists them; undefined when the format has no tags (ssh_config). */
  tags?: string[];
  /** Something the user should know about this record, e.g. aliases that were dropped. */
  note?: string;
};

/** A host key line from a known_hosts file. */
export type HostKeyRecord = {
  line: number;
  /** The host patterns as written: `host`, `[host]:port`, or a hashed `|1|salt|hash`. */
  patterns: string[];
  publicKey: string;
};

export type ParsedInventory = {
  records: InventoryRecord[];
  /** Rows the parser rejected or skipped itself (with the reason). */
  rows: ImportRow[];
  notes: string[];
  /** The file could not be read past some point: nothing may be imported from it. */
  fatal?: string;
};

export function rejectedRow(line: number | null, name: string | null, reason: string): ImportRow {
  return { line, name, action: 'rejected', reason, changes: [] };
}

export function skippedRow(line: number | null, name: string | null, reason: string): ImportRow {
  return { line, name, action: 'skipped', reason, changes: [] };
}

/** What every exporter writes for one device; the pinned key travels only in known_hosts. */
export type ExportDevice = Pick<
  Device,
  | 'name'
  | 'host'
  | 'port'
  | 'user'
  | 'authMethod'
  | 'keyPath'
  | 'jump'
  | 'tags'
  | 'profile'
  | 'deployRoot'
  | 'restartCmd'
  | 'healthCmd'
  | 'notes'
  | 'hostKey'
  | 'jumpHostKey'
>;
