import type { PickedFile } from '../../../../shared/contract';
import { toAppError, type AppError } from '../../../../shared/errors';
import { importReportSchema, type ImportFormat, type ImportReport } from '../../../../shared/schemas/fleet';

export const formatLabels: Record<ImportFormat, string> = {
  csv: 'CSV',
  'ansible-ini': 'Ansible inventory (INI)',
  'ansible-yaml': 'Ansible inventory (YAML)',
  'ssh-config': 'ssh_config Host entries',
  'known-hosts': 'known_hosts (pins host keys)',
};

/** Where the file comes from: a File the page holds (web console), or a native dialog's reference. */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'picked'; picked: PickedFile };

export type ImportOutcome =
  | { status: 'idle' }
  | { status: 'working'; what: string }
  | { status: 'done'; report: ImportReport }
  | { status: 'invalid'; error: AppError; report: ImportReport }
  | { status: 'failed'; error: AppError };

/**
 * A refused import (IMPORT_INVALID) carries its report: every row with why it was rejected, so the dialog
 * shows the field errors rather than only the message. Anything else is a plain failure.
 */
export function outcomeOfError(err: unknown): ImportOutcome {
  const error = toAppError(err);
  const details = error.details as { report?: unknown } | undefined;
  const parsed = error.code === 'IMPORT_INVALID' ? importReportSchema.safeParse(details?.report) : null;
  return parsed?.success ? { status: 'invalid', error, report: parsed.data } : { status: 'failed', error };
}

/** Retrying with the valid rows only makes sense when some row is valid (and the file is still at hand). */
export function canImportValidOnly(outcome: ImportOutcome, source: ImportSource | null): boolean {
  return (
    outcome.status === 'invalid' &&
    source !== null &&
    outcome.report.counts.rejected < outcome.report.rows.length
  );
}

export function sourceName(source: ImportSource | null): { name: string; sizeBytes: number } | null {
  if (source === null) return null;
  return source.kind === 'file'
    ? { name: source.file.name, sizeBytes: source.file.size }
    : { name: source.picked.fileName, sizeBytes: source.picked.sizeBytes };
}

export function workingText(source: ImportSource): string {
  return source.kind === 'file' ? 'Uploading and checking every row…' : 'Checking every row…';
}
