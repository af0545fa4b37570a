/**
 * For float execution only: a scalar Add read only by Convs (what fuse-hard-swish leaves before a padded Conv)
 * becomes a BatchNormalization with unit scale and variance, zero mean and the shift as bias — the same values.
 * Why: ONNX Runtime's NCHWc layout on x86 runs BatchNormalization as one of its own convolutions but has no NCHWc
 * kernel for a broadcast Add, so each such Add cost a reorder out of the blocked layout and back (PaddleOCR rec:
 * 13 of them, 0.9 ms of reorders; 4 % of the model's time). Static INT8 keeps the Add: it has an int8 kernel there.
 */
import { TensorProto_DataType as DT, type ModelProto } from 'onnx-buf';
import { consumerMap, getAttrInt, initializerMap, tensorToTypedArray, typedArrayToTensor } from '../../onnx';

/** ONNX's default epsilon: variance 1 − ε makes √(var + ε) exactly 1. */
const EPSILON = 1e-5;

/** Rewrites in place; returns how many Adds became BatchNormalization. */
export function shiftsAsBatchNorm(model: ModelProto): number {
  const graph = model.graph;
  if (!graph) return 0;
  const inits = initializerMap(graph);
  const consumers = consumerMap(graph);
  const outputs = new Set(graph.output.map((o) => o.name));
  const inputs = new Set(graph.input.map((i) => i.name));
  const names = new Set<string>([...inits.keys(), ...inputs]);
  for (const n of graph.node) for (const o of n.output) names.add(o);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };
  let changed = 0;
  for (const node of graph.node) {
    if (
      node.opType !== 'Add' ||
      (node.domain !== '' && node.domain !== 'ai.onnx') ||
      node.input.length !== 2
    ) {
      continue;
    }
    const constIndex = node.input.findIndex((i) => inits.has(i) && !inputs.has(i));
    const shiftTensor = constIndex < 0 ? undefined : inits.get(node.input[constIndex]!);
    if (!shiftTensor || shiftTensor.dataType !== DT.FLOAT) continue;
    const shift = tensorToTypedArray(shiftTensor);
    if (shift.length !== 1) continue;
    const out = node.output[0]!;
    const readers = consumers.get(out) ?? [];
    if (outputs.has(out) || readers.length === 0) continue;
    const channels = new Set<number>();
    for (const r of readers) {
      const w = r.opType === 'Conv' && r.input[0] === out ? inits.get(r.input[1] ?? '') : undefined;
      if (!w || w.dims.length !== 4) channels.add(-1);
      else channels.add(Number(w.dims[1]) * getAttrInt(r, 'group', 1));
    }
    const [c] = [...channels];
    if (channels.size !== 1 || c === undefined || c < 1) continue;
    const base = node.name || out;
    const fill = (suffix: string, v: number) => {
      const t = typedArrayToTensor(fresh(`${base}_bn_${suffix}`), DT.FLOAT, [c], new Float32Array(c).fill(v));
      graph.initializer.push(t);
      return t.name;
    };
    node.opType = 'BatchNormalization';
    node.input = [
      node.input[1 - constIndex]!,
      fill('scale', 1),
      fill('bias', Number(shift[0])),
      fill('mean', 0),
      fill('var', 1 - EPSILON),
    ];
    changed++;
  }
  return changed;
}
