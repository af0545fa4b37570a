import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { ImportReport } from '../../../../shared/schemas/fleet';
import { canImportValidOnly, outcomeOfError, sourceName } from './import-model';

const picked = { fileRef: `f_${'b'.repeat(32)}`, fileName: 'hosts.ini', sizeBytes: 10 };
const report = (rejected: number, rows: number): ImportReport => ({
  format: 'ansible-ini',
  applied: false,
  counts: { added: rows - rejected, updated: 0, unchanged: 0, skipped: 0, rejected },
  rows: Array.from({ length: rows }, (_, i) => ({
    line: i + 1,
    name: `d${i}`,
    action: i < rejected ? ('rejected' as const) : ('added' as const),
    reason: null,
    changes: [],
  })),
  notes: [],
});

describe('import model', () => {
  it('keeps the report of a refused import, and nothing of another failure', () => {
    const invalid = outcomeOfError(new AppError('IMPORT_INVALID', 'bad', { report: report(1, 2) }));
    expect(invalid.status).toBe('invalid');
    expect(outcomeOfError(new AppError('IMPORT_INVALID', 'bad', { report: 'garbage' })).status).toBe(
      'failed',
    );
    expect(outcomeOfError(new Error('boom')).status).toBe('failed');
  });

  it('offers the valid rows only when some row is valid and the file is still at hand', () => {
    const source = { kind: 'picked' as const, picked };
    const some = outcomeOfError(new AppError('IMPORT_INVALID', 'bad', { report: report(1, 2) }));
    const none = outcomeOfError(new AppError('IMPORT_INVALID', 'bad', { report: report(2, 2) }));
    expect(canImportValidOnly(some, source)).toBe(true);
    expect(canImportValidOnly(some, null)).toBe(false);
    expect(canImportValidOnly(none, source)).toBe(false);
  });

  it('names the chosen file', () => {
    expect(sourceName({ kind: 'picked', picked })).toEqual({ name: 'hosts.ini', sizeBytes: 10 });
    expect(sourceName(null)).toBeNull();
  });
});
