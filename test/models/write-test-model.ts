import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ModelProto } from 'onnx-buf';
import { encodeModel } from '../../main/core/onnx/model-codec';

/** Writes the model as one .onnx file (creating the folder); returns the bytes written. */
export async function writeTestModel(model: ModelProto, path: string): Promise<Uint8Array> {
  const bytes = encodeModel(model);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return bytes;
}
