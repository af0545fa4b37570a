import { createHash } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../../../shared/errors';
import { throwIfCancelled } from '../../jobs/job-manager';
import type { Sample } from '../types';
import { streamRange, withFile, type DataStats } from './data-stats';
import { readLabels, type LabelFiles } from './labels';
import { displayName, skippedWarning, isFile, LABEL_FILES, listFolder, type PathKind } from './listing';
import { checkSampleData, createShapeAgreement, type InputSpec } from './model-inputs';
import { readNpyElements, readNpyHeader, type NpyFile } from './npy-file';
import { createDataSource, type DataSource } from './sample-source';

export type OpenContext = {
  inputs: InputSpec[];
  stats: DataStats;
  maxSamples: number;
  signal: AbortSignal | undefined;
};

const isNpy = (name: string) => extname(name).toLowerCase() === '.npy';

function layoutHelp(inputs: readonly InputSpec[]): string {
  const names = inputs.map((i) => `'${i.name}'`).join(', ');
  return inputs.length === 1
    ? `Give a folder of .npy files (one sample each), or one .npy file with a leading sample axis.`
    : `The model has ${inputs.length} inputs (${names}): give a folder with one subfolder per input (same file ` +
        `names in each), or a folder with one <input>.npy per input, each with a leading sample axis.`;
}

function labelFilesIn(dir: string, files: readonly string[]): LabelFiles {
  const at = (name: string) =>
    files.includes(name) ? { path: join(dir, name), display: displayName(dir, name) } : null;
  return { csv: at('labels.csv'), txt: at('labels.txt') };
}

/** Opens .npy data in whichever of the three layouts the path holds (see data/README.md). */
export async function openNpySource(path: string, kind: PathKind, ctx: OpenContext): Promise<DataSource> {
  if (kind.kind === 'file') {
    if (ctx.inputs.length !== 1)
      throw new AppError('DATA_INVALID', `${path} is one file. ${layoutHelp(ctx.inputs)}`);
    const dir = dirname(path);
    const stem = basename(path, extname(path));
    const labelFiles = labelFilesIn(dir, []);
    for (const ext of ['csv', 'txt'] as const) {
      const name = `${stem}.labels.${ext}`;
      if (await isFile(join(dir, name)))
        labelFiles[ext] = { path: join(dir, name), display: displayName(dir, name) };
    }
    const file = { input: ctx.inputs[0]!, path, display: displayName(dir, basename(path)) };
    return openStacked([file], labelFiles, path, [], ctx);
  }
  const { files, dirs } = await listFolder(path);
  const warnings: string[] = [];
  const stray = (names: string[], what: string) => {
    const text = skippedWarning(names, path, what);
    if (text) warnings.push(text);
  };

  if (ctx.inputs.every((i) => dirs.includes(i.name))) {
    stray(
      dirs.filter((d) => !ctx.inputs.some((i) => i.name === d)),
      'not input subfolders',
    );
    stray(
      files.filter((f) => !LABEL_FILES.includes(f)),
      'not label files',
    );
    return openPerInputFolders(path, labelFilesIn(path, files), warnings, ctx);
  }
  const npyFiles = files.filter(isNpy);
  if (ctx.inputs.length > 1) {
    const stacked = ctx.inputs.map((i) => ({ input: i, name: `${i.name}.npy` }));
    if (stacked.every((s) => npyFiles.includes(s.name))) {
      stray(
        files.filter((f) => !stacked.some((s) => s.name === f) && !LABEL_FILES.includes(f)),
        'not input files',
      );
      const list = stacked.map((s) => ({
        input: s.input,
        path: join(path, s.name),
        display: displayName(path, s.name),
      }));
      return openStacked(list, labelFilesIn(path, files), path, warnings, ctx);
    }
    if (files.length === 0 && dirs.length === 0)
      throw new AppError('DATA_EMPTY', `${path} is empty. ${layoutHelp(ctx.inputs)}`);
    const missing = ctx.inputs.filter((i) => !dirs.includes(i.name)).map((i) => i.name);
    throw new AppError(
      'DATA_INVALID',
      `${path} has no subfolder for input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}. ` +
        layoutHelp(ctx.inputs),
    );
  }
  if (npyFiles.length === 0) {
    throw new AppError('DATA_EMPTY', `${path} holds no .npy files. ${layoutHelp(ctx.inputs)}`);
  }
  stray(
    files.filter((f) => !isNpy(f) && !LABEL_FILES.includes(f)),
    'not .npy files',
  );
  stray(dirs, 'subfolders');
  const input = ctx.inputs[0]!;
  const perInput = [{ input, dir: path, displayDir: [] as string[] }];
  return openPerSample(path, perInput, npyFiles, labelFilesIn(path, files), 'npy-per-sample', warnings, ctx);
}

async function openPerInputFolders(
  root: string,
  labelFiles: LabelFiles,
  warnings: string[],
  ctx: OpenContext,
): Promise<DataSource> {
  const listings = await Promise.all(ctx.inputs.map((i) => listFolder(join(root, i.name))));
  const names = listings.map((l) => l.files.filter(isNpy));
  const first = names[0]!;
  for (let k = 1; k < names.length; k++) {
    const other = names[k]!;
    const onlyFirst = first.filter((n) => !other.includes(n));
    const onlyOther = other.filter((n) => !first.includes(n));
    if (onlyFirst.length > 0 || onlyOther.length > 0) {
      const a = ctx.inputs[0]!.name;
      const b = ctx.inputs[k]!.name;
      const list = (xs: string[]) => xs.slice(0, 3).join(', ') + (xs.length > 3 ? ', …' : '');
      throw new AppError(
        'DATA_INVALID',
        `The input subfolders of ${root} hold different files: ` +
          [
            onlyFirst.length ? `only ${a}/ has ${list(onlyFirst)}` : '',
            onlyOther.length ? `only ${b}/ has ${list(onlyOther)}` : '',
          ]
            .filter(Boolean)
            .join('; ') +
          '. Each sample needs one file of the same name in every input subfolder.',
      );
    }
  }
  if (first.length === 0) {
    throw new AppError(
      'DATA_EMPTY',
      `The input subfolders of ${root} hold no .npy files. ${layoutHelp(ctx.inputs)}`,
    );
  }
  listings.forEach((l, k) => {
    const names = [...l.files.filter((f) => !isNpy(f)), ...l.dirs];
    const text = skippedWarning(names, join(root, ctx.inputs[k]!.name), 'not .npy files');
    if (text) warnings.push(text);
  });
  const perInput = ctx.inputs.map((input) => ({
    input,
    dir: join(root, input.name),
    displayDir: [input.name],
  }));
  return openPerSample(root, perInput, first, labelFiles, 'npy-per-input-folders', warnings, ctx);
}

/** One .npy file per sample and input: headers checked first, then every file hashed, data read per sample. */
async function openPerSample(
  root: string,
  perInput: { input: InputSpec; dir: string; displayDir: string[] }[],
  names: string[],
  labelFiles: LabelFiles,
  layout: 'npy-per-sample' | 'npy-per-input-folders',
  warnings: string[],
  ctx: OpenContext,
): Promise<DataSource> {
  const used = names.slice(0, ctx.maxSamples);
  const agree = createShapeAgreement(ctx.inputs);
  // files[k][i]: input k, sample i. Headers only: a few hundred bytes per file.
  const files: { file: NpyFile; dims: number[] }[][] = perInput.map(() => []);
  for (const name of used) {
    throwIfCancelled(ctx.signal);
    for (const [k, p] of perInput.entries()) {
      const display = displayName(root, ...p.displayDir, name);
      const file = await readNpyHeader(join(p.dir, name), display, ctx.stats);
      const dims = checkSampleData(p.input, display, file.type, file.shape, layout === 'npy-per-sample');
      agree(p.input, dims, display, file.shape);
      files[k]!.push({ file, dims });
    }
  }
  const labels = await readLabels(labelFiles, names, used.length);
  const digests = new Uint8Array(used.length * 32);
  for (let i = 0; i < used.length; i++) {
    throwIfCancelled(ctx.signal);
    const hash = createHash('sha256');
    for (const list of files) {
      const { file } = list[i]!;
      await withFile(ctx.stats, file.path, file.display, async (fh) => {
        if (!(await streamRange(fh, 0, file.fileSize, (c) => hash.update(c)))) throw changed(file.display);
      });
    }
    digests.set(hash.digest(), i * 32);
  }
  const load = async (index: number): Promise<Sample> => {
    const sample: Sample = {};
    for (const [k, p] of perInput.entries()) {
      const { file, dims } = files[k]![index]!;
      const data = await readNpyElements(file, 0, file.dataBytes / file.itemSize, ctx.stats);
      sample[p.input.name] = new ort.Tensor(file.type, data, dims);
    }
    return sample;
  };
  const what = layout === 'npy-per-sample' ? '.npy files' : `samples (.npy per input subfolder)`;
  return createDataSource({
    description: `${used.length} ${what} in ${root}`,
    layout,
    load,
    count: used.length,
    digests: { kind: 'files', digests },
    labels,
    warnings,
    stats: ctx.stats,
    random: false,
  });
}

function changed(display: string): AppError {
  return new AppError(
    'DATA_INVALID',
    `${display} changed while it was being read: do not modify the data while it is in use.`,
  );
}

/** One .npy per input with a leading sample axis; each sample is read by seeking to its slice. */
async function openStacked(
  list: { input: InputSpec; path: string; display: string }[],
  labelFiles: LabelFiles,
  where: string,
  warnings: string[],
  ctx: OpenContext,
): Promise<DataSource> {
  const parts: { input: InputSpec; file: NpyFile; dims: number[]; perSample: number; key: string }[] = [];
  let available = -1;
  for (const { input, path, display } of list) {
    const file = await readNpyHeader(path, display, ctx.stats);
    if (file.shape.length === 0) {
      throw new AppError(
        'DATA_SHAPE_MISMATCH',
        `${display} is a scalar: a stacked file needs a leading sample axis [N, ...] for input '${input.name}'.`,
      );
    }
    const n = file.shape[0]!;
    const sampleShape = file.shape.slice(1);
    const dims = checkSampleData(input, `${display} (each of its ${n} samples)`, file.type, sampleShape);
    if (available >= 0 && n !== available) {
      throw new AppError(
        'DATA_SHAPE_MISMATCH',
        `${display} holds ${n} samples but ${list[0]!.display} holds ${available}: every input needs the same number.`,
      );
    }
    available = n;
    const perSample = sampleShape.reduce((a, b) => a * b, 1);
    parts.push({ input, file, dims, perSample, key: `${file.descr}[${sampleShape.join(',')}]` });
  }
  if (available === 0)
    throw new AppError('DATA_EMPTY', `${list[0]!.display} holds 0 samples (its leading axis is 0).`);
  const count = Math.min(available, ctx.maxSamples);
  const keys = Array.from({ length: available }, (_, i) => String(i));
  const labels = await readLabels(labelFiles, keys, count);
  const digests = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) {
    throwIfCancelled(ctx.signal);
    const hash = createHash('sha256');
    for (const p of parts) {
      hash.update(p.key);
      const start = p.file.dataOffset + i * p.perSample * p.file.itemSize;
      await withFile(ctx.stats, p.file.path, p.file.display, async (fh) => {
        const ok = await streamRange(fh, start, start + p.perSample * p.file.itemSize, (c) => hash.update(c));
        if (!ok) throw changed(p.file.display);
      });
    }
    digests.set(hash.digest(), i * 32);
  }
  const load = async (index: number): Promise<Sample> => {
    const sample: Sample = {};
    for (const p of parts) {
      const data = await readNpyElements(p.file, index * p.perSample, p.perSample, ctx.stats);
      sample[p.input.name] = new ort.Tensor(p.file.type, data, p.dims);
    }
    return sample;
  };
  const what = list.length === 1 ? list[0]!.display : `${list.length} stacked .npy files in ${where}`;
  return createDataSource({
    description: `${count} samples from ${what}`,
    layout: 'npy-stacked',
    load,
    count,
    digests: { kind: 'files', digests },
    labels,
    warnings,
    stats: ctx.stats,
    random: false,
  });
}
