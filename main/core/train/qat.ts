// Quantization-aware fine-tuning: the static INT8 pass decides where Q/DQ go and calibrates their scales;
// the QDQ model then becomes a training graph (float shadow weights behind fake-quant ops), the FP32 model
// teaches it by distillation, and the trained shadows are quantized back into the same QDQ model.
import { TensorProto_DataType as DT, type ModelProto, type TensorProto } from 'onnx-buf';
import { cloneModelSharingTensorData } from '../onnx/clone-model';
import { makeAttribute, makeNode } from '../onnx/builder';
import { getAttrInt, initializerMap, producerMap } from '../onnx/graph';
import { tensorElementCount, tensorToTypedArray, typedArrayToTensor } from '../onnx/tensor';
import { roundHalfEven } from './fake-quant-kernel';
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

/**
 * 8-bit weights train in units of their own quantization step: the shadow holds (level − zp)/k, so Adam moves
 * every channel by the same fraction of a step, whatever its scale (in float units the default rate of 1e-4
 * was a whole step per update for a channel of scale 1e-4 and 1/500 of one for a channel of scale 0.05: the
 * first jumped about, the second never left its level). At the QAT default rate (1e-4) an update moves a
 * weight by up to 0.02 steps. Biases (int32, steps of input scale × weight scale) train in float units.
 */
export const STEP_UNITS = 200;

type QatWeightLink = {
  /** Integer initializer in the QDQ model. */
  intName: string;
  intType: number;
  scale: string;
  zeroPoint: string | null;
  axis: number;
  qmin: number;
  qmax: number;
  /** The shadow is (level − zp)/stepUnits; null: the shadow is the float value. */
  stepUnits: number | null;
};

/**
 * Activation scales train too (LSQ: the straight-through gradient of the rounding reaches the scale, so a
 * range calibrated on outliers can shrink where the error says so). Each is learned as log(scale)/k: at the
 * QAT default rate an update changes a scale by up to 0.5 %.
 */
export const LOG_SCALE_UNITS = 50;

type QatGraph = {
  model: ModelProto;
  /** Float shadow initializer → the integer weight it stands for. */
  weights: Map<string, QatWeightLink>;
  /** Learned log-scale initializer → the activation scale initializer it replaces. */
  scales: Map<string, string>;
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
    const stepUnits = x.dataType === DT.INT8 || x.dataType === DT.UINT8 ? STEP_UNITS : null;
    for (let i = 0; i < shadow.length; i++) {
      const c = scale.length === 1 ? 0 : ch(i);
      const level = Number(ints[i]) - zp[zp.length === 1 ? 0 : c]!;
      shadow[i] = stepUnits === null ? level * scale[c]! : level / stepUnits;
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
      stepUnits,
    });
    node.input[0] = name;
    node.opType = 'QatWeight';
    node.domain = QAT_DOMAIN;
    node.attribute = [
      makeAttribute('axis', axis),
      makeAttribute('qmin', { $attr: 'float', value: levels(x.dataType).qmin }),
      makeAttribute('qmax', { $attr: 'float', value: levels(x.dataType).qmax }),
      ...(stepUnits === null ? [] : [makeAttribute('step_units', { $attr: 'float', value: stepUnits })]),
    ];
  }
  const scales = learnActivationScales(model, used);
  // The integer originals are no longer read by the training graph.
  const shadowed = new Set([...weights.values()].map((w) => w.intName));
  const stillRead = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => !shadowed.has(t.name) || stillRead.has(t.name));
  if (!model.opsetImport.some((o) => o.domain === QAT_DOMAIN)) {
    model.opsetImport.push({ ...model.opsetImport[0]!, domain: QAT_DOMAIN, version: 1n });
  }
  return { model, weights, scales };
}

/**
 * Every per-tensor activation scale (read by a QatQuantize) becomes QatScale(u) with u = log(scale)/k, read by
 * that quantizer and by the DequantizeLinear nodes of the same activation.
 */
function learnActivationScales(model: ModelProto, used: Set<string>): Map<string, string> {
  const graph = model.graph!;
  const inits = initializerMap(graph);
  const scales = new Map<string, string>();
  const replaced = new Map<string, string>();
  for (const node of graph.node) {
    if (node.opType !== 'QatQuantize') continue;
    const name = node.input[1]!;
    const t = inits.get(name);
    if (!t || t.dataType !== DT.FLOAT || tensorElementCount(t) !== 1) continue;
    if (!replaced.has(name)) {
      const value = Number((tensorToTypedArray(t) as Float32Array)[0]);
      if (!(value > 0) || !Number.isFinite(value)) continue;
      let logName = `${name}__qat_log`;
      while (used.has(logName)) logName += '_';
      used.add(logName);
      const out = `${logName}_scale`;
      used.add(out);
      graph.initializer.push(
        typedArrayToTensor(logName, DT.FLOAT, [], Float32Array.of(Math.log(value) / LOG_SCALE_UNITS)),
      );
      graph.node.unshift(
        makeNode(
          'QatScale',
          [logName],
          [out],
          { k: { $attr: 'float', value: LOG_SCALE_UNITS } },
          {
            domain: QAT_DOMAIN,
            name: out,
          },
        ),
      );
      replaced.set(name, out);
      scales.set(logName, name);
    }
    node.attribute.push(makeAttribute('learn_scale', 1));
  }
  for (const node of graph.node) {
    const learned = replaced.get(node.input[1] ?? '');
    if (!learned) continue;
    const activationDq = node.opType === 'DequantizeLinear' && !inits.has(node.input[0]!);
    if (node.opType === 'QatQuantize' || activationDq) node.input[1] = learned;
  }
  return scales;
}

/**
 * New bias scales where a learned input scale changed: a Conv/Gemm's int32 bias is read at input scale ×
 * weight scale by ONNX Runtime's integer kernels, so both must move together.
 */
function biasScales(
  qdq: ModelProto,
  activationScales: ReadonlyMap<string, Float64Array>,
  weights: ReadonlyMap<string, QatWeightLink>,
): Map<string, Float64Array> {
  const graph = qdq.graph!;
  const inits = initializerMap(graph);
  const producers = producerMap(graph);
  const readers = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input) readers.set(i, (readers.get(i) ?? 0) + 1);
  const biasLinks = new Map(
    [...weights.values()].filter((w) => w.intType === DT.INT32).map((w) => [w.intName, w]),
  );
  const out = new Map<string, Float64Array>();
  for (const node of graph.node) {
    if (node.opType !== 'Conv' && node.opType !== 'Gemm') continue;
    const [xDq, wDq, bDq] = [0, 1, 2].map((i) => producers.get(node.input[i] ?? ''));
    if (bDq?.opType !== 'DequantizeLinear' || xDq?.opType !== 'DequantizeLinear') continue;
    const link = biasLinks.get(bDq.input[0]!);
    const xScale = activationScales.get(xDq.input[1]!);
    if (!link || !xScale || wDq?.opType !== 'DequantizeLinear') continue;
    // A bias scale read elsewhere too cannot follow this Conv alone.
    if ((readers.get(link.scale) ?? 0) !== 1) continue;
    const wScale = channelValues(inits.get(wDq.input[1]!), 1);
    const before = inits.get(link.scale);
    if (!before || tensorElementCount(before) !== wScale.length) continue;
    out.set(
      link.scale,
      Float64Array.from(wScale, (s) => s * xScale[0]!),
    );
  }
  return out;
}

/**
 * The QDQ model after training (a NEW model): learned activation scales written back, every shadowed integer
 * weight re-quantized from its trained shadow, biases at their input's new scale.
 */
export function fromQatGraph(
  qdq: ModelProto,
  trained: ModelProto,
  weights: ReadonlyMap<string, QatWeightLink>,
  scales: ReadonlyMap<string, string> = new Map(),
): ModelProto {
  const out = cloneModelSharingTensorData(qdq);
  const graph = out.graph!;
  const trainedInits = initializerMap(trained.graph!);
  const inits = initializerMap(graph);
  const activationScales = new Map<string, Float64Array>();
  for (const [logName, scaleName] of scales) {
    const u = (tensorToTypedArray(trainedInits.get(logName)!) as Float32Array)[0]!;
    const before = inits.get(scaleName);
    // An untrained scale keeps its exact bits (exp(log s) need not round back to s).
    if (!before || u === Math.fround(Math.log(channelValues(before, 1)[0]!) / LOG_SCALE_UNITS)) continue;
    activationScales.set(scaleName, Float64Array.of(Math.exp(u * LOG_SCALE_UNITS)));
  }
  const newScales = new Map([...activationScales, ...biasScales(qdq, activationScales, weights)]);
  const scaleOf = (name: string) => newScales.get(name) ?? channelValues(inits.get(name), 1);
  const byInt = new Map([...weights].map(([shadow, w]) => [w.intName, { shadow, w }]));
  graph.initializer = graph.initializer.map((t) => {
    const changed = newScales.get(t.name);
    if (changed) {
      return typedArrayToTensor(t.name, DT.FLOAT, t.dims.map(Number), Float32Array.from(changed));
    }
    const link = byInt.get(t.name);
    if (!link) return t;
    const { shadow: shadowName, w } = link;
    const shadow = tensorToTypedArray(trainedInits.get(shadowName)!) as Float32Array;
    const dims = t.dims.map((d) => Number(d));
    const scale = scaleOf(w.scale);
    const zp = channelValues(w.zeroPoint ? inits.get(w.zeroPoint) : undefined, 0);
    const ch = channelOf(dims, w.axis);
    const values = new Float64Array(shadow.length);
    for (let i = 0; i < shadow.length; i++) {
      const c = scale.length === 1 ? 0 : ch(i);
      const z = zp[zp.length === 1 ? 0 : c]!;
      const level = w.stepUnits === null ? shadow[i]! / scale[c]! : shadow[i]! * w.stepUnits;
      values[i] = Math.min(w.qmax, Math.max(w.qmin, roundHalfEven(level) + z));
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
