import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { defaultDeployRoot } from '../../../../shared/schemas/fleet';
import type { ExportDevice, InventoryRecord, ParsedInventory } from './inventory-record';
import { rejectedRow } from './inventory-record';

/** Column order of exported files; import also accepts them in any order, and a few common aliases. */
export const csvColumns = [
  'name',
  'host',
  'port',
  'user',
  'auth',
  'key_path',
  'jump',
  'tags',
  'profile',
  'deploy_root',
  'restart_cmd',
  'health_cmd',
  'notes',
] as const;
type CsvColumn = (typeof csvColumns)[number];

const aliases: Record<string, CsvColumn> = {
  hostname: 'host',
  address: 'host',
  ip: 'host',
  username: 'user',
  auth_method: 'auth',
  key: 'key_path',
  identity_file: 'key_path',
  proxy_jump: 'jump',
  jump_host: 'jump',
  hardware_profile: 'profile',
  groups: 'tags',
};

function columnOf(header: string): CsvColumn | undefined {
  const key = header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (csvColumns as readonly string[]).includes(key) ? (key as CsvColumn) : aliases[key];
}

/**
 * Spreadsheets run a cell that starts with = + - @ as a formula (CSV injection). Such cells are written with a
 * leading apostrophe, which spreadsheets hide; import removes exactly one apostrophe before those characters.
 */
const formulaStart = /^'*[=+\-@\t\r]/;

function protectCell(value: string): string {
  return formulaStart.test(value) ? `'${value}` : value;
}

function unprotectCell(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

export function parseCsvInventory(text: string): ParsedInventory {
  let parsed: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: true,
      comment: '#',
      comment_no_infix: true,
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? null;
      const reason = `The CSV is malformed: ${err.message}. Fix the quoting on that line; nothing was imported.`;
      return { records: [], rows: [rejectedRow(line, null, reason)], notes: [], fatal: reason };
    }
    throw err;
  }
  const [header, ...body] = parsed;
  if (header === undefined) return { records: [], rows: [], notes: ['The file holds no rows.'] };

  const columns = header.record.map(columnOf);
  const notes: string[] = [];
  const ignored = header.record.filter((_, i) => columns[i] === undefined);
  if (ignored.length > 0) notes.push(`Columns ignored (not device fields): ${ignored.join(', ')}.`);
  const missing = (['name', 'host'] as const).filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    const reason = `The CSV header has no ${missing.join(' or ')} column. The first row must name the columns: ${csvColumns.join(',')}.`;
    return { records: [], rows: [rejectedRow(header.info.lines, null, reason)], notes, fatal: reason };
  }

  const records: InventoryRecord[] = [];
  const rows: ParsedInventory['rows'] = [];
  for (const { record, info, raw } of body) {
    // info.lines is where the record ends; a quoted cell may span several lines.
    const line = info.lines - (raw.replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
    if (record.length > columns.length && record.slice(columns.length).some((c) => c.trim() !== '')) {
      rows.push(
        rejectedRow(
          line,
          record[0] ?? null,
          `The row has ${record.length} cells but the header only ${columns.length}.`,
        ),
      );
      continue;
    }
    const cells = new Map<CsvColumn, string>();
    columns.forEach((col, i) => {
      if (col !== undefined) cells.set(col, unprotectCell(record[i] ?? ''));
    });
    records.push(recordFromCells(cells, line));
  }
  return { records, rows, notes };
}

function recordFromCells(cells: Map<CsvColumn, string>, line: number): InventoryRecord {
  const fields: Record<string, unknown> = {};
  /** Empty cell: a required field is "not given" (default or keep), an optional one is cleared. */
  const set = (col: CsvColumn, key: string, optional: boolean) => {
    if (!cells.has(col)) return;
    const value = cells.get(col) ?? '';
    if (value.trim() === '') {
      if (optional) fields[key] = null;
      return;
    }
    fields[key] = value;
  };
  set('host', 'host', false);
  set('port', 'port', false);
  set('user', 'user', false);
  set('auth', 'authMethod', false);
  set('key_path', 'keyPath', true);
  set('jump', 'jump', true);
  set('profile', 'profile', true);
  set('deploy_root', 'deployRoot', false);
  set('restart_cmd', 'restartCmd', true);
  set('health_cmd', 'healthCmd', true);
  set('notes', 'notes', true);
  if (typeof fields['authMethod'] === 'string')
    fields['authMethod'] = fields['authMethod'].trim().toLowerCase();
  const record: InventoryRecord = { line, name: (cells.get('name') ?? '').trim(), fields };
  if (cells.has('tags')) record.tags = splitTags(cells.get('tags') ?? '');
  return record;
}

function splitTags(cell: string): string[] {
  return cell
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

export function exportCsv(devices: readonly ExportDevice[]): string {
  const rows = devices.map((d) => {
    const cells: Record<CsvColumn, string> = {
      name: d.name,
      host: d.host,
      port: String(d.port),
      user: d.user,
      auth: d.authMethod,
      key_path: d.keyPath ?? '',
      jump: d.jump ?? '',
      tags: d.tags.join(','),
      profile: d.profile ?? '',
      deploy_root: d.deployRoot || defaultDeployRoot,
      restart_cmd: d.restartCmd ?? '',
      health_cmd: d.healthCmd ?? '',
      notes: d.notes ?? '',
    };
    return csvColumns.map((c) => protectCell(cells[c]));
  });
  return stringify([[...csvColumns], ...rows], { record_delimiter: 'unix' });
}
