import { clearField, clone, create } from '@bufbuild/protobuf';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ModelProtoSchema,
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
  type ModelProto,
} from 'onnx-buf';
import { encodeModel } from '../../main/core/onnx/model-codec';
import { forEachTensor } from '../../main/core/onnx/tensor-walk';
import { buildSmallCnn } from './small-cnn';

export type ExternalDataOptions = {
  /** Tensors with at least this many bytes of raw_data go to the data file. */
  threshold: number;
  /** Default: `<fileName>.data`. */
  dataFileName?: string;
  /** Pad each tensor's offset to a multiple of this (ONNX's own writer can align to 4096). Default 1. */
  align?: number;
};

export type ExternalDataFiles = {
  modelPath: string;
  dataPath: string;
  dataFileName: string;
  /** Names of the tensors moved to the data file. */
  externalTensors: string[];
};

/**
 * Writes `model` as `<dir>/<fileName>` plus one data file holding every tensor of at least `threshold`
 * bytes (initializers and attribute tensors alike), as onnx.save_model(…, save_as_external_data=True) does.
 * The input model is not modified.
 */
export async function saveModelWithExternalData(
  model: ModelProto,
  dir: string,
  fileName: string,
  options: ExternalDataOptions,
): Promise<ExternalDataFiles> {
  const dataFileName = options.dataFileName ?? `${fileName}.data`;
  const align = options.align ?? 1;
  const copy = clone(ModelProtoSchema, model);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const externalTensors: string[] = [];
  forEachTensor(copy, (t) => {
    if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.rawData.byteLength < options.threshold)
      return;
    const padding = (align - (size % align)) % align;
    if (padding > 0) {
      chunks.push(new Uint8Array(padding));
      size += padding;
    }
    const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
    t.externalData = [
      entry('location', dataFileName),
      entry('offset', String(size)),
      entry('length', String(t.rawData.byteLength)),
    ];
    t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    chunks.push(t.rawData);
    size += t.rawData.byteLength;
    clearField(t, TensorProtoSchema.field.rawData);
    externalTensors.push(t.name);
  });
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, fileName);
  const dataPath = join(dir, dataFileName);
  await writeFile(dataPath, Buffer.concat(chunks));
  await writeFile(modelPath, encodeModel(copy));
  return { modelPath, dataPath, dataFileName, externalTensors };
}

/** The small CNN with its weights (≥ 256 bytes) in `<dir>/small-cnn.onnx.data`. */
export function writeSmallCnnWithExternalData(dir: string, seed = 1): Promise<ExternalDataFiles> {
  return saveModelWithExternalData(buildSmallCnn(seed), dir, 'small-cnn.onnx', { threshold: 256 });
}
