import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TensorProto_DataLocation, type ModelProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import { decodeModel } from './model-codec';
import { formatBytes, MAX_PROTOBUF_BYTES } from './size-limits';
import { forEachTensor } from './tensor-walk';

export type ModelFile = {
  model: ModelProto;
  /** The file's bytes; the model's byte fields view them, so do not modify them. */
  bytes: Uint8Array;
  /** True when some tensor keeps its data in a separate file (see internalizeExternalData). */
  hasExternalData: boolean;
};

export async function readModelFile(path: string): Promise<ModelFile> {
  const name = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new AppError(
        'FILE_UNREADABLE',
        `'${path}' is a folder, not a model file: choose the .onnx file inside it.`,
      );
    }
    if (!info.isFile()) {
      throw new AppError('FILE_UNREADABLE', `'${path}' is not a regular file: choose an .onnx model file.`);
    }
    size = info.size;
  } catch (err) {
    throw fileError(err, path);
  }
  if (size === 0) {
    throw new AppError(
      'FILE_EMPTY',
      `'${name}' is empty (0 bytes): choose the exported .onnx file, not a placeholder.`,
    );
  }
  if (size > MAX_PROTOBUF_BYTES) {
    throw new AppError(
      'MODEL_TOO_LARGE',
      `'${name}' is ${formatBytes(size)}; an .onnx file cannot exceed 2 GB (a protobuf limit). ` +
        'Re-export it with its weights in an external data file (onnx.save_model(…, save_as_external_data=True)).',
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fileError(err, path);
  }
  const model = decodeModel(bytes, name);
  return { model, bytes, hasExternalData: hasExternalData(model) };
}

export function hasExternalData(model: ModelProto): boolean {
  let found = false;
  forEachTensor(model, (t) => {
    if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) found = true;
  });
  return found;
}

function fileError(err: unknown, path: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new AppError(
        'FILE_NOT_FOUND',
        `No file at '${path}': check the path, or choose the file again.`,
      );
    case 'EACCES':
    case 'EPERM':
      return new AppError(
        'FILE_UNREADABLE',
        `EdgeFleet may not read '${path}' (permission denied): allow reading it, or copy it to a folder you own.`,
      );
    case 'EISDIR':
      return new AppError(
        'FILE_UNREADABLE',
        `'${path}' is a folder, not a model file: choose the .onnx file inside it.`,
      );
    default: {
      const message = err instanceof Error ? err.message : String(err);
      return new AppError(
        'FILE_UNREADABLE',
        `Could not read '${path}' (${message}): check the file and try again.`,
      );
    }
  }
}
