/**
 * Folds a per-channel (or scalar) constant Mul and/or Add that follows a Conv into the Conv's weight and bias:
 *   Conv(x, W, b) → Mul(·, k) → Add(·, d)   ⇒   Conv(x, W·k, b·k + d)
 * ORT's basic level has ConvMulFusion/ConvAddFusion, but they only match the constant as the Mul/Add's SECOND
 * input and a [C,1,1]-shaped constant; PaddlePaddle exports (PP-LCNetV3's "learnable affine blocks",
 * PP-OCRv4) write `Mul(k, conv)` with k of shape [1]. Left alone, each of those ops would be quantized and
 * requantized on its own, adding noise at every step; folded, they cost nothing.
 */
import { TensorProto_DataType as DT, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { consumerMap, initializerMap, tensorToTypedArray, typedArrayToTensor } from '../../onnx';

const isDefault = (n: NodeProto) => n.domain === '' || n.domain === 'ai.onnx';

/** Folds in place; returns how many Mul/Add nodes were folded away. */
export function foldConvAffine(model: ModelProto): number {
  const graph = model.graph;
  if (!graph) return 0;
  const inits = initializerMap(graph);
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  const graphInputs = new Set(graph.input.map((i) => i.name));
  const names = new Set<string>([...inits.keys(), ...graphInputs]);
  for (const n of graph.node) for (const o of n.output) names.add(o);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };
  const consumers = consumerMap(graph);
  const removed = new Set<NodeProto>();
  let folded = 0;

  for (const conv of graph.node) {
    if (conv.opType !== 'Conv' || !isDefault(conv)) continue;
    const w = inits.get(conv.input[1] ?? '');
    const b = conv.input[2] ? inits.get(conv.input[2]) : undefined;
    if (!w || w.dataType !== DT.FLOAT || graphInputs.has(w.name) || w.dims.length < 3) continue;
    if (conv.input[2] && (!b || b.dataType !== DT.FLOAT || graphInputs.has(b.name))) continue;
    const channels = Number(w.dims[0]);
    const rank = w.dims.length;
    let weight: Float32Array | undefined;
    let bias: Float32Array | undefined;
    for (;;) {
      const out = conv.output[0] ?? '';
      const next = consumers.get(out);
      if (!next || next.length !== 1 || graphOutputs.has(out)) break;
      const node = next[0]!;
      if ((node.opType !== 'Mul' && node.opType !== 'Add') || !isDefault(node) || node.input.length !== 2)
        break;
      const other = node.input[0] === out ? node.input[1] : node.input[0];
      if (node.input[0] === node.input[1]) break;
      const k = perChannelConstant(inits.get(other ?? ''), channels, rank);
      if (!k || graphInputs.has(other ?? '')) break;
      weight ??= tensorToTypedArray(w) as Float32Array;
      bias ??= b ? (tensorToTypedArray(b) as Float32Array) : new Float32Array(channels);
      if (node.opType === 'Mul') {
        const per = weight.length / channels;
        for (let c = 0; c < channels; c++) {
          const f = k[k.length === 1 ? 0 : c]!;
          for (let i = c * per; i < (c + 1) * per; i++) weight[i] = Math.fround(weight[i]! * f);
          bias[c] = Math.fround(bias[c]! * f);
        }
      } else {
        for (let c = 0; c < channels; c++) bias[c] = Math.fround(bias[c]! + k[k.length === 1 ? 0 : c]!);
      }
      conv.output[0] = node.output[0] ?? '';
      consumers.set(conv.output[0], consumers.get(node.output[0] ?? '') ?? []);
      removed.add(node);
      folded++;
    }
    if (weight && bias) {
      const wt = typedArrayToTensor(fresh(`${w.name}_folded`), DT.FLOAT, w.dims, weight);
      const bt = typedArrayToTensor(
        fresh(`${b?.name ?? `${conv.name || conv.output[0]}_bias`}_folded`),
        DT.FLOAT,
        [channels],
        bias,
      );
      graph.initializer.push(wt, bt);
      inits.set(wt.name, wt);
      inits.set(bt.name, bt);
      conv.input = [conv.input[0] ?? '', wt.name, bt.name];
    }
  }
  if (folded === 0) return 0;
  graph.node = graph.node.filter((n) => !removed.has(n));
  const read = new Set<string>(graph.output.map((o) => o.name));
  for (const n of graph.node) for (const i of n.input) read.add(i);
  graph.initializer = graph.initializer.filter((t) => read.has(t.name) || graphInputs.has(t.name));
  return folded;
}

/**
 * The constant's values when it broadcasts as one value per output channel of a rank-`rank` conv output
 * (dims right-aligned; every dim but the channel one is 1): a scalar, [1], [C,1,1], [1,C,1,1] …
 */
function perChannelConstant(
  t: TensorProto | undefined,
  channels: number,
  rank: number,
): Float32Array | undefined {
  if (!t || t.dataType !== DT.FLOAT || t.dims.length > rank) return undefined;
  const dims = t.dims.map(Number);
  const padded = [...Array<number>(rank - dims.length).fill(1), ...dims];
  const ok = padded.every((d, i) => d === 1 || (i === 1 && d === channels));
  if (!ok) return undefined;
  const values = tensorToTypedArray(t) as Float32Array;
  return values.length === 1 || values.length === channels ? values : undefined;
}
