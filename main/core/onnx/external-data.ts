import { clearField } from '@bufbuild/protobuf';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep, win32 } from 'node:path';
import {
  TensorProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType,
  type ModelProto,
  type TensorProto,
} from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import { cloneModelSharingTensorData } from './clone-model';
import { formatBytes, MAX_PROTOBUF_BYTES } from './size-limits';
import { elemByteSize, elemTypeName, tensorDataByteLength, tensorElementCount } from './tensor';
import { describeTensorSite, forEachTensor } from './tensor-walk';

export type InternalizeOptions = {
  /** Refuse (MODEL_TOO_LARGE) when the model with all data inside would be bigger. Default: 2 GiB − 1. */
  maxBytes?: number;
};

/** One external tensor's reference, checked but not yet read. */
type ExternalRef = {
  /** Position in forEachTensor order, to find the same tensor in the copy. */
  index: number;
  where: string;
  location: string;
  offset: number;
  length: number;
};

const reexportHint =
  'or re-export the model with all weights inside the .onnx file (onnx.save_model(model, path, save_as_external_data=False))';

/**
 * A new model in which every tensor stored in an external file (data_location = EXTERNAL) carries its
 * bytes in raw_data instead: initializers, Constant-node and other attribute tensors, subgraphs, functions.
 * The input model is not modified (tensors that were already inline share their bytes with it).
 *
 * `location` is resolved against `baseDir` (the .onnx file's folder) and must stay inside it: relative,
 * no '..', no absolute path, no symlink leading out (EXTERNAL_DATA_INVALID). `offset` and `length` are
 * honoured; without `length` the size follows from the tensor's shape. The optional `checksum` is not
 * verified (ONNX does not define it precisely; the sha256 of the imported model covers integrity later).
 */
export async function internalizeExternalData(
  model: ModelProto,
  baseDir: string,
  options: InternalizeOptions = {},
): Promise<ModelProto> {
  const maxBytes = options.maxBytes ?? MAX_PROTOBUF_BYTES;
  const refs: ExternalRef[] = [];
  let inlineBytes = 0;
  let index = 0;
  forEachTensor(model, (t, site) => {
    const i = index++;
    if (t.dataLocation === TensorProto_DataLocation.EXTERNAL)
      refs.push(parseExternalRef(t, describeTensorSite(t, site), i));
    else inlineBytes += inlineDataBytes(t);
  });
  if (refs.length === 0) return cloneModelSharingTensorData(model);

  const total = refs.reduce((n, r) => n + r.length, inlineBytes);
  if (total > maxBytes) {
    throw new AppError(
      'MODEL_TOO_LARGE',
      `With its external data loaded the model would hold ${formatBytes(total)} of weights, more than the ` +
        `${formatBytes(maxBytes)} an .onnx file can hold. Make the model smaller (e.g. quantize it with its ` +
        'own tools first) or split it.',
      { totalBytes: total, maxBytes },
    );
  }

  const loaded = await readAll(refs, baseDir);

  const copy = cloneModelSharingTensorData(model);
  let j = 0;
  forEachTensor(copy, (t) => {
    const data = loaded.get(j++);
    if (!data) return;
    t.rawData = data;
    t.externalData = [];
    clearField(t, TensorProtoSchema.field.dataLocation);
  });
  return copy;
}

function parseExternalRef(t: TensorProto, where: string, index: number): ExternalRef {
  const entries = new Map(t.externalData.map((e) => [e.key, e.value]));
  const location = entries.get('location');
  if (!location) {
    throw new AppError(
      'EXTERNAL_DATA_INVALID',
      `The ${where} is marked as external data but names no file (no 'location'): the model is damaged; ` +
        `export it again, ${reexportHint}.`,
    );
  }
  checkLocation(location, where);
  if (
    t.dataType === TensorProto_DataType.STRING ||
    (elemByteSize(t.dataType) === 0 && !entries.has('length'))
  ) {
    throw new AppError(
      'MODEL_UNSUPPORTED',
      `The ${where} has element type ${elemTypeName(t.dataType)}, which EdgeFleet cannot load from external data: ` +
        `${reexportHint}.`,
    );
  }
  const offset = parseCount(entries.get('offset') ?? '0', 'offset', where);
  const expected = tensorDataByteLength(t.dataType, tensorElementCount(t));
  const lengthText = entries.get('length');
  const length = lengthText === undefined ? expected : parseCount(lengthText, 'length', where);
  if (elemByteSize(t.dataType) > 0 && length !== expected) {
    throw new AppError(
      'EXTERNAL_DATA_INVALID',
      `The ${where} says its data is ${length} bytes long, but its shape [${t.dims.join(', ')}] of ` +
        `${elemTypeName(t.dataType)} needs ${expected} bytes: the model and its data file do not match; ` +
        `export them again, ${reexportHint}.`,
    );
  }
  return { index, where, location, offset, length };
}

/** Locations come from the (untrusted) model file: they must not reach outside the model's folder. */
function checkLocation(location: string, where: string): void {
  const bad = (why: string): never => {
    throw new AppError(
      'EXTERNAL_DATA_INVALID',
      `The ${where} points at external data '${location}', which ${why}. External data must be a file ` +
        `in the model's folder named by a relative path: keep the data files next to the .onnx file, ${reexportHint}.`,
      { location },
    );
  };
  if (location.includes('\0')) bad('contains a NUL character');
  if (isAbsolute(location) || win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location))
    bad('is an absolute path');
  if (location.split(/[\\/]/).includes('..')) bad("leaves the model's folder ('..')");
}

function parseCount(text: string, key: string, where: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new AppError(
      'EXTERNAL_DATA_INVALID',
      `The ${where} has external data ${key} '${text}', which is not a byte count: the model is damaged; ` +
        `export it again, ${reexportHint}.`,
    );
  }
  return n;
}

/** Bytes a tensor already inside the model contributes (a lower bound of its encoded size). */
function inlineDataBytes(t: TensorProto): number {
  return (
    t.rawData.byteLength +
    t.floatData.length * 4 +
    t.int32Data.length * 4 +
    t.int64Data.length * 8 +
    t.uint64Data.length * 8 +
    t.doubleData.length * 8 +
    t.stringData.reduce((n, s) => n + s.byteLength, 0)
  );
}

type OpenedFile = { handle: FileHandle; size: number };

/** Reads every referenced range; each tensor gets its own ArrayBuffer (aligned, not shared). */
async function readAll(
  refs: readonly ExternalRef[],
  baseDir: string,
): Promise<Map<number, Uint8Array<ArrayBuffer>>> {
  const root = await realBaseDir(baseDir);
  const files = new Map<string, OpenedFile>();
  const out = new Map<number, Uint8Array<ArrayBuffer>>();
  try {
    for (const ref of refs) {
      let file = files.get(ref.location);
      if (!file) {
        file = await openInside(root, ref);
        files.set(ref.location, file);
      }
      if (ref.offset + ref.length > file.size) {
        throw new AppError(
          'EXTERNAL_DATA_INVALID',
          `The ${ref.where} needs bytes ${ref.offset}–${ref.offset + ref.length} of '${ref.location}', but that ` +
            `file has only ${file.size} bytes: it is truncated or belongs to another model. Copy the data file ` +
            `again, ${reexportHint}.`,
          { location: ref.location, offset: ref.offset, length: ref.length, fileSize: file.size },
        );
      }
      const data = new Uint8Array(ref.length);
      let done = 0;
      while (done < ref.length) {
        const { bytesRead } = await file.handle.read(data, done, ref.length - done, ref.offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done < ref.length) {
        throw new AppError(
          'EXTERNAL_DATA_INVALID',
          `'${ref.location}' ended while reading the ${ref.where}: the file changed or is truncated. Copy it again.`,
        );
      }
      out.set(ref.index, data);
    }
  } finally {
    await Promise.all([...files.values()].map((f) => f.handle.close()));
  }
  return out;
}

async function realBaseDir(baseDir: string): Promise<string> {
  try {
    return await realpath(baseDir);
  } catch {
    throw new AppError(
      'EXTERNAL_DATA_MISSING',
      `The model keeps weights in external files, but its folder '${baseDir}' does not exist: import the model ` +
        `from the folder that holds its data files, ${reexportHint}.`,
    );
  }
}

async function openInside(root: string, ref: ExternalRef): Promise<OpenedFile> {
  const full = resolve(root, ref.location);
  let real: string;
  try {
    real = await realpath(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError(
        'EXTERNAL_DATA_MISSING',
        `The ${ref.where} keeps its data in '${ref.location}', which is missing from '${root}'. ` +
          `Put the data file next to the .onnx file and import again, ${reexportHint}.`,
        { location: ref.location, tensor: ref.where },
      );
    }
    throw unreadable(ref, err);
  }
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new AppError(
      'EXTERNAL_DATA_INVALID',
      `The ${ref.where} points at external data '${ref.location}', which leads outside the model's folder ` +
        `(a link to '${real}'). Copy the data file itself next to the .onnx file, ${reexportHint}.`,
      { location: ref.location },
    );
  }
  let handle: FileHandle;
  try {
    handle = await open(real, 'r');
  } catch (err) {
    throw unreadable(ref, err);
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new AppError(
      'EXTERNAL_DATA_INVALID',
      `The ${ref.where} points at external data '${ref.location}', which is not a regular file: ` +
        `put the data file next to the .onnx file, ${reexportHint}.`,
    );
  }
  return { handle, size: info.size };
}

function unreadable(ref: ExternalRef, err: unknown): AppError {
  const message = err instanceof Error ? err.message : String(err);
  return new AppError(
    'FILE_UNREADABLE',
    `Could not read '${ref.location}', the external data of the ${ref.where} (${message}): ` +
      'allow EdgeFleet to read it, or copy it to a folder you own.',
  );
}
