import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type ModelProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import { concatParts, encodeModelParts } from './model-encoder';

/**
 * Parses ONNX protobuf bytes. Unknown fields (from newer ONNX versions) are kept and written back by
 * encodeModel, so decode → encode is lossless.
 *
 * The returned model's byte fields (raw_data, …) are views into `bytes`: do not modify `bytes` afterwards,
 * and copy a raw_data before reinterpreting it (tensorToTypedArray does).
 *
 * Throws FILE_EMPTY for no bytes and MODEL_INVALID for anything that is not an ONNX model, with a hint
 * about what the bytes look like (text, ZIP, TFLite …). `sourceName` (a file name) makes messages clearer.
 */
export function decodeModel(bytes: Uint8Array, sourceName?: string): ModelProto {
  const what = sourceName ? `'${sourceName}'` : 'The file';
  if (bytes.byteLength === 0) {
    throw new AppError(
      'FILE_EMPTY',
      `${what} is empty (0 bytes): choose the exported .onnx file, not a placeholder.`,
    );
  }
  let model: ModelProto;
  try {
    // A Node Buffer would make every bytes field a Buffer, whose slice() is a view, not a copy: decode from a
    // plain Uint8Array over the same memory instead.
    const plain = Buffer.isBuffer(bytes)
      ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : bytes;
    model = fromBinary(ModelProtoSchema, plain);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new AppError(
      'MODEL_INVALID',
      `${what} is not an ONNX model: ${describeUnparsable(bytes, reason)}`,
      {
        decodeError: reason,
      },
    );
  }
  if (model.irVersion <= 0n) {
    throw new AppError(
      'MODEL_INVALID',
      `${what} is not an ONNX model: it has no ir_version (it may be another kind of protobuf file, ` +
        'e.g. a test tensor or a TensorFlow graph). Choose the .onnx file exported from your framework.',
    );
  }
  if (!model.graph) {
    throw new AppError(
      'MODEL_INVALID',
      `${what} is not a usable ONNX model: it has no graph. Export the model again (e.g. torch.onnx.export) ` +
        'and choose that file.',
    );
  }
  return model;
}

/**
 * The model's protobuf bytes, identical to `toBinary`, but big weights are copied once (into the result)
 * instead of once per nesting level: see model-encoder.ts.
 */
export function encodeModel(model: ModelProto): Uint8Array {
  return concatParts(encodeModelParts(model));
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0): boolean =>
  prefix.every((b, i) => bytes[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** A hint for bytes protobuf could not parse: what they look like and what to do. */
function describeUnparsable(bytes: Uint8Array, reason: string): string {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    return (
      'it is a ZIP archive (PyTorch .pt/.pth checkpoints look like this). Export the model with ' +
      'torch.onnx.export, or unzip the archive and choose the .onnx file inside.'
    );
  }
  if (startsWith(bytes, [0x1f, 0x8b]))
    return 'it is gzip-compressed: decompress it and choose the .onnx file.';
  if (startsWith(bytes, [0x89, 0x48, 0x44, 0x46])) {
    return 'it is an HDF5 file (Keras .h5). Convert it to ONNX first, e.g. with tf2onnx.';
  }
  if (startsWith(bytes, ascii('TFL3'), 4)) {
    return 'it is a TensorFlow Lite model. Convert it to ONNX first (python -m tf2onnx.convert --tflite …).';
  }
  if (startsWith(bytes, ascii('ORTM'), 4)) {
    return 'it is an ONNX Runtime .ort file, which EdgeFleet cannot import. Choose the original .onnx model.';
  }
  const text = asText(bytes);
  if (text !== undefined) {
    const head = text.trimStart();
    if (/^(ir_version|graph\s*\{|opset_import)/.test(head)) {
      return (
        'it is ONNX in protobuf text format. Convert it to the binary format (in Python: ' +
        'google.protobuf.text_format.Parse(text, onnx.ModelProto()), then onnx.save) and import that file.'
      );
    }
    if (head.startsWith('<')) {
      return (
        'it is an HTML/XML text file (a download page saved instead of the model?). ' +
        'Download the raw .onnx file and import it.'
      );
    }
    if (head.startsWith('{') || head.startsWith('['))
      return 'it is a JSON text file. Choose the binary .onnx file.';
    return 'it is a text file. Choose the binary .onnx file exported from your framework.';
  }
  if (/premature EOF|out of range|index out of range/i.test(reason)) {
    return (
      `the data ends too early (${reason}): the file is truncated. Copy or download it again, ` +
      'or export the model again.'
    );
  }
  return `the bytes are not valid protobuf (${reason}): the file is corrupted or of another format. Export the model again.`;
}

/** The bytes as text when their beginning looks like text (valid UTF-8, no control bytes but whitespace). */
function asText(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, 4096);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // A multi-byte character may be cut at the 4096-byte boundary; only then retry a little shorter.
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, Math.max(0, head.length - 3)));
    } catch {
      return undefined;
    }
  }
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x08\x0e-\x1f\x7f]/.test(text) ? undefined : text;
}
