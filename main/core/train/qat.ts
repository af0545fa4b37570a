// Quantization-aware fine-tuning: the static INT8 pass decides where Q/DQ go and calibrates their scales;
// the QDQ model then becomes a training graph (float shadow weights behind fake-quant ops), the FP32 model
// teaches it by distillation, and the trained shadows are quantized back into the same QDQ model.
import { TensorProto_DataType as DT, type ModelProto, type TensorProto } from 'onnx-buf';
import { cloneModelSharingTensorData } from '../onnx/clone-model';
import { makeAttribute } from '../onnx/builder';
import { getAttrInt, initializerMap } from '../onnx/graph';
import { tensorToTypedArray, typedArrayToTensor } from '../onnx/tensor';
import { QAT_DOMAIN } from './ops-quant';

/** Integer range of a quantized type (zero point's element type; uint8 when absent). */
function levels(type: number): { qmin: number; qmax: number } {
  switch (type) {
    case DT.INT8:
      return { qmin: -128, qmax: 127 };
    case DT.INT32:
      return { qmin: -2147483648, qmax: 2147483647 };
    case DT.UINT16:
      return { qmin: 0, qmax: 65535 };
    case DT.INT16:
      return { qmin: -32768, qmax: 32767 };
    default:
      return { qmin: 0, qmax: 255 };
  }
}

type QatWeightLink = {
  /** Integer initializer in the QDQ model. */
  intName: string;
  intType: number;
  scale: string;
  zeroPoint: string | null;
  axis: number;
  qmin: number;
  qmax: number;
};

type QatGraph = {
  model: ModelProto;
  /** Float shadow initializer → the integer weight it stands for. */
  weights: Map<string, QatWeightLink>;
};

/** Values of an (optional) per-axis parameter, broadcast to index by channel. */
function channelValues(t: TensorProto | undefined, fallback: number): Float64Array {
  if (!t) return Float64Array.from([fallback]);
  return Float64Array.from(tensorToTypedArray(t) as ArrayLike<number>, (v) => Number(v));
}

/** For element i of a tensor with `dims`, its index along `axis`. */
function channelOf(dims: readonly number[], axis: number): (i: number) => number {
  const inner = dims.slice(axis + 1).reduce((a, d) => a * d, 1);
  const size = dims[axis] ?? 1;
  return (i) => Math.floor(i / inner) % size;
}

export function toQatGraph(qdq: ModelProto): QatGraph {
  const model = cloneModelSharingTensorData(qdq);
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const weights = new Map<string, QatWeightLink>();
  const used = new Set(graph.initializer.map((t) => t.name));
  for (const node of graph.node) {
    const zpType = node.input[2] ? (inits.get(node.input[2])?.dataType ?? DT.UINT8) : DT.UINT8;
    const { qmin, qmax } = levels(zpType);
    if (node.opType === 'QuantizeLinear') {
      node.opType = 'QatQuantize';
      node.domain = QAT_DOMAIN;
      node.attribute = [
        makeAttribute('axis', getAttrInt(node, 'axis', 1)),
        makeAttribute('qmin', { $attr: 'float', value: qmin }),
        makeAttribute('qmax', { $attr: 'float', value: qmax }),
      ];
      continue;
    }
    const x = node.opType === 'DequantizeLinear' ? inits.get(node.input[0]!) : undefined;
    if (!x) continue;
    const rank = x.dims.length;
    let axis = getAttrInt(node, 'axis', 1);
    if (axis < 0) axis += rank;
    const scaleT = inits.get(node.input[1]!);
    const zpT = node.input[2] ? inits.get(node.input[2]) : undefined;
    if (!scaleT) continue;
    const dims = x.dims.map((d) => Number(d));
    const scale = channelValues(scaleT, 1);
    const zp = channelValues(zpT, 0);
    const ch = channelOf(dims, axis);
    const ints = tensorToTypedArray(x) as ArrayLike<number>;
    const shadow = new Float32Array(ints.length);
    for (let i = 0; i < shadow.length; i++) {
      const c = scale.length === 1 ? 0 : ch(i);
      shadow[i] = (Number(ints[i]) - zp[zp.length === 1 ? 0 : c]!) * scale[c]!;
    }
    let name = `${x.name}__qat_float`;
    while (used.has(name)) name += '_';
    used.add(name);
    graph.initializer.push(typedArrayToTensor(name, DT.FLOAT, dims, shadow));
    weights.set(name, {
      intName: x.name,
      intType: x.dataType,
      scale: scaleT.name,
      zeroPoint: zpT?.name ?? null,
      axis,
      ...levels(x.dataType),
    });
    node.input[0] = name;
    node.opType = 'QatWeight';
    node.domain = QAT_DOMAIN;
    node.attribute = [
      makeAttribute('axis', axis),
      makeAttribute('qmin', { $attr: 'float', value: levels(x.dataType).qmin }),
      makeAttribute('qmax', { $attr: 'float', value: levels(x.dataType).qmax }),
    ];
  }
  // The integer originals are no longer read by the training graph.
  const shadowed = new Set([...weights.values()].map((w) => w.intName));
  const stillRead = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => !shadowed.has(t.name) || stillRead.has(t.name));
  if (!model.opsetImport.some((o) => o.domain === QAT_DOMAIN)) {
    model.opsetImport.push({ ...model.opsetImport[0]!, domain: QAT_DOMAIN, version: 1n });
  }
  return { model, weights };
}

/** The QDQ model with every shadowed integer weight re-quantized from the trained float shadow (a NEW model). */
export function fromQatGraph(
  qdq: ModelProto,
  trained: ModelProto,
  weights: ReadonlyMap<string, QatWeightLink>,
): ModelProto {
  const out = cloneModelSharingTensorData(qdq);
  const graph = out.graph!;
  const trainedInits = initializerMap(trained.graph!);
  const inits = initializerMap(graph);
  graph.initializer = graph.initializer.map((t) => {
    const link = [...weights].find(([, w]) => w.intName === t.name);
    if (!link) return t;
    const [shadowName, w] = link;
    const shadow = tensorToTypedArray(trainedInits.get(shadowName)!) as Float32Array;
    const dims = t.dims.map((d) => Number(d));
    const scale = channelValues(inits.get(w.scale), 1);
    const zp = channelValues(w.zeroPoint ? inits.get(w.zeroPoint) : undefined, 0);
    const ch = channelOf(dims, w.axis);
    const values = new Float64Array(shadow.length);
    for (let i = 0; i < shadow.length; i++) {
      const c = scale.length === 1 ? 0 : ch(i);
      const q = Math.round(shadow[i]! / scale[c]!) + zp[zp.length === 1 ? 0 : c]!;
      values[i] = Math.min(w.qmax, Math.max(w.qmin, q));
    }
    const typed =
      w.intType === DT.INT8
        ? Int8Array.from(values)
        : w.intType === DT.INT32
          ? Int32Array.from(values)
          : w.intType === DT.UINT8
            ? Uint8Array.from(values)
            : w.intType === DT.INT16
              ? Int16Array.from(values)
              : Uint16Array.from(values);
    return typedArrayToTensor(t.name, w.intType, dims, typed);
  });
  return out;
}
