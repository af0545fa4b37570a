import { clone } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto, type TensorProto } from 'onnx-buf';
import { forEachTensor } from './tensor-walk';

const noBytes = new Uint8Array(0);

/**
 * A deep copy of the model whose tensors share their raw_data byte arrays with the original.
 * `clone()` would copy every weight; for a model of a few GB that doubles peak memory for nothing, as
 * EdgeFleet never writes into tensor bytes in place (passes assign new arrays).
 */
export function cloneModelSharingTensorData(model: ModelProto): ModelProto {
  const originals: TensorProto[] = [];
  const stashed = new Map<TensorProto, Uint8Array<ArrayBuffer>>();
  forEachTensor(model, (t) => {
    originals.push(t);
    if (t.rawData.byteLength > 0 && !stashed.has(t)) {
      stashed.set(t, t.rawData);
      t.rawData = noBytes;
    }
  });
  let copy: ModelProto;
  try {
    copy = clone(ModelProtoSchema, model);
  } finally {
    for (const [t, data] of stashed) t.rawData = data;
  }
  let i = 0;
  forEachTensor(copy, (t) => {
    const original = originals[i++];
    const data = original && stashed.get(original);
    if (data) t.rawData = data;
  });
  return copy;
}
