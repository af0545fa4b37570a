import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { AppError } from '../../../../shared/errors';
import { fileError } from './data-stats';

/** Label files are small text; a cap keeps a wrong file (a dataset dump) from being read whole. */
const MAX_LABEL_FILE_BYTES = 64 * 1024 * 1024;

export type LabelFiles = {
  csv: { path: string; display: string } | null;
  txt: { path: string; display: string } | null;
};

/**
 * Class labels (integer indices) for the samples, or null when no label file is there.
 * - labels.csv: header `file,label`; `file` is the sample's key (its file name, or its 0-based index for
 *   stacked .npy data); an empty label means "unlabelled"; samples without a row are unlabelled.
 * - labels.txt: one integer per line, one line per sample in the samples' sorted order.
 * `allKeys` are every sample the data holds; `used` how many of them (from the start) are read.
 */
export async function readLabels(
  files: LabelFiles,
  allKeys: readonly string[],
  used: number,
): Promise<(number | null)[] | null> {
  if (files.csv && files.txt) {
    throw new AppError(
      'DATA_INVALID',
      `Both ${files.csv.display} and ${files.txt.display} are there: keep one label file.`,
    );
  }
  if (files.txt)
    return parseTxt(
      await readText(files.txt.path, files.txt.display),
      files.txt.display,
      allKeys.length,
      used,
    );
  if (files.csv)
    return parseCsv(await readText(files.csv.path, files.csv.display), files.csv.display, allKeys, used);
  return null;
}

async function readText(path: string, display: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fileError(err, display);
  }
  if (bytes.length > MAX_LABEL_FILE_BYTES) {
    throw new AppError('DATA_INVALID', `${display} is over 64 MiB: it does not look like a label file.`);
  }
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

function parseLabel(text: string, display: string, where: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new AppError(
      'DATA_INVALID',
      `${display} ${where}: '${text.slice(0, 40)}' is not a class index (a non-negative integer).`,
    );
  }
  return Number(text);
}

function parseTxt(text: string, display: string, available: number, used: number): (number | null)[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length !== available) {
    throw new AppError(
      'DATA_INVALID',
      `${display} has ${lines.length} labels for ${available} samples: write one class index per line, ` +
        'one line per sample in sorted order.',
    );
  }
  return lines.slice(0, used).map((l, i) => parseLabel(l.trim(), display, `line ${i + 1}`));
}

function parseCsv(
  text: string,
  display: string,
  allKeys: readonly string[],
  used: number,
): (number | null)[] {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new AppError('DATA_INVALID', `${display} is not valid CSV: ${(err as Error).message}`);
  }
  const header = rows[0]?.map((c) => c.toLowerCase());
  if (!header || header.length !== 2 || header[0] !== 'file' || header[1] !== 'label') {
    throw new AppError(
      'DATA_INVALID',
      `${display} must start with the header 'file,label' (then one row per sample: file name, class index).`,
    );
  }
  const index = new Map(allKeys.map((k, i) => [k, i]));
  const labels: (number | null)[] = new Array<number | null>(allKeys.length).fill(null);
  const seen = new Set<string>();
  rows.slice(1).forEach((row, r) => {
    const [file, label] = row as [string, string];
    const i = index.get(file);
    if (i === undefined) {
      throw new AppError(
        'DATA_INVALID',
        `${display} row ${r + 2} names '${file}', which is not a sample here: use the sample file names ` +
          '(or 0-based indices for a stacked .npy).',
      );
    }
    if (seen.has(file))
      throw new AppError('DATA_INVALID', `${display} names '${file}' twice: keep one row per sample.`);
    seen.add(file);
    labels[i] = label === '' ? null : parseLabel(label, display, `row ${r + 2}`);
  });
  return labels.slice(0, used);
}
