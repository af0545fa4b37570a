/**
 * Writes the QDQ graph for a plan: one QuantizeLinear → DequantizeLinear pair per activation tensor (shared by
 * all its readers), int8 weights and int32 biases behind a lone DequantizeLinear, quantized constants for
 * Add/Mul/Concat. Tensor names follow ONNX Runtime's (`<t>_QuantizeLinear_Output`,
 * `<t>_DequantizeLinear_Output`, `<w>_quantized`, `<w>_scale`, `<w>_zero_point`) so ORT's debugging tools
 * recognise them; graph input and output names are unchanged.
 */
import { TensorProto_DataType as DT, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import {
  consumerMap,
  makeNode,
  outerScopeNames,
  producerMap,
  subgraphsOf,
  tensorToTypedArray,
  topologicalOrder,
  typedArrayToTensor,
} from '../../onnx';
import {
  arrayMinMax,
  computeScaleZeroPoint,
  quantDataType,
  quantizeArray,
  quantizeBias,
  quantizeWeightPerChannel,
  quantizeWeightPerTensor,
  type QuantType,
  type ScaleZeroPoint,
} from '../quant';
import type { QuantizedTensor } from '../types';
import type { QdqPlan, WeightUse } from './int8-static-plan';

export type ActivationParams = ScaleZeroPoint & {
  /** The tensor whose scale/zero-point initializers these are (itself, or the one it inherits from). */
  root: string;
};

type RewriteOptions = {
  activationType: QuantType;
  symmetricActivations: boolean;
};

type RewriteResult = {
  quantizedTensors: QuantizedTensor[];
  /** Bias values that did not fit int32 (clamped). */
  clampedBiasValues: number;
};

/** Rewrites `plan.model` in place. `params` holds every activation that gets a Q/DQ pair. */
export function rewriteQdq(
  plan: QdqPlan,
  params: ReadonlyMap<string, ActivationParams>,
  producerOps: ReadonlyMap<string, string>,
  opts: RewriteOptions,
): RewriteResult {
  const graph = plan.model.graph!;
  const names = new Set<string>();
  for (const t of graph.initializer) names.add(t.name);
  for (const v of graph.input) names.add(v.name);
  for (const n of graph.node) for (const o of n.output) names.add(o);
  const nodeNames = new Set(graph.node.map((n) => n.name));
  const fresh = (base: string) => unique(base, names);
  const freshNode = (base: string) => unique(base, nodeNames);

  const newNodes: NodeProto[] = [];
  const newInits: TensorProto[] = [];
  const graphOutputs = new Set(graph.output.map((o) => o.name));
  const consumers = consumerMap(graph);
  const producers = producerMap(graph);
  const qType = opts.activationType;
  const qDt = quantDataType(qType);

  // Scale/zero-point initializers per root tensor (inheriting tensors share them).
  const paramInits = new Map<string, { scale: string; zeroPoint: string }>();
  const paramNames = (root: string, p: ScaleZeroPoint) => {
    let entry = paramInits.get(root);
    if (!entry) {
      entry = { scale: fresh(`${root}_scale`), zeroPoint: fresh(`${root}_zero_point`) };
      newInits.push(scalarFloat(entry.scale, p.scale), scalarQuant(entry.zeroPoint, qDt, p.zeroPoint));
      paramInits.set(root, entry);
    }
    return entry;
  };

  const quantizedTensors: QuantizedTensor[] = [];
  for (const [t, p] of params) {
    const { scale, zeroPoint } = paramNames(p.root, p);
    const qOut = fresh(`${t}_QuantizeLinear_Output`);
    let qIn = t;
    let dqOut: string;
    if (graphOutputs.has(t)) {
      // Keep the graph output's name on the DequantizeLinear: the producer writes a new name instead.
      qIn = fresh(`${t}_QuantizeLinear_Input`);
      const producer = producers.get(t);
      if (producer) producer.output = producer.output.map((o) => (o === t ? qIn : o));
      dqOut = t;
      for (const c of consumers.get(t) ?? []) if (plan.excluded.has(c)) renameInput(c, t, qIn);
    } else {
      dqOut = fresh(`${t}_DequantizeLinear_Output`);
      for (const c of consumers.get(t) ?? []) if (!plan.excluded.has(c)) renameInput(c, t, dqOut);
    }
    newNodes.push(
      makeNode(
        'QuantizeLinear',
        [qIn, scale, zeroPoint],
        [qOut],
        {},
        { name: freshNode(`${t}_QuantizeLinear`) },
      ),
      makeNode(
        'DequantizeLinear',
        [qOut, scale, zeroPoint],
        [dqOut],
        {},
        { name: freshNode(`${t}_DequantizeLinear`) },
      ),
    );
    quantizedTensors.push({ name: t, dequantizedName: dqOut, producer: producerOps.get(t) ?? 'input' });
  }

  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const floatData = (name: string) => tensorToTypedArray(inits.get(name)!) as Float32Array;
  const dims = (name: string) => inits.get(name)!.dims.map(Number);

  // Weights: int8 symmetric, quantized once per (weight, axis).
  const weightScales = new Map<WeightUse, Float32Array>();
  const doneWeights = new Map<string, { output: string; scales: Float32Array }>();
  for (const use of plan.weights) {
    const w = use.node.input[use.input]!;
    const key = `${w}\u0000${use.axis ?? 'tensor'}`;
    let done = doneWeights.get(key);
    if (!done) {
      const data = floatData(w);
      const shape = dims(w);
      const q =
        use.axis === null
          ? (() => {
              const r = quantizeWeightPerTensor(data, 'int8', true);
              return {
                data: r.data,
                scales: Float32Array.of(r.scale),
                zeroPoints: Int8Array.of(r.zeroPoint),
              };
            })()
          : quantizeWeightPerChannel(data, shape, use.axis, 'int8', true);
      const perChannel = use.axis !== null;
      const qName = fresh(`${w}_quantized`);
      const sName = fresh(`${w}_scale`);
      const zName = fresh(`${w}_zero_point`);
      newInits.push(
        typedArrayToTensor(qName, DT.INT8, shape, q.data),
        typedArrayToTensor(sName, DT.FLOAT, perChannel ? [q.scales.length] : [], q.scales),
        typedArrayToTensor(zName, DT.INT8, perChannel ? [q.scales.length] : [], q.zeroPoints),
      );
      const output = fresh(`${w}_DequantizeLinear_Output`);
      newNodes.push(
        makeNode('DequantizeLinear', [qName, sName, zName], [output], perChannel ? { axis: use.axis! } : {}, {
          name: freshNode(`${w}_DequantizeLinear`),
        }),
      );
      done = { output, scales: q.scales };
      doneWeights.set(key, done);
    }
    use.node.input[use.input] = done.output;
    weightScales.set(use, done.scales);
  }

  // Biases: int32, zero point 0, scale = input scale × weight scale (× beta for Gemm).
  let clampedBiasValues = 0;
  for (const use of plan.biases) {
    const input = params.get(use.activation);
    const wScales = weightScales.get(use.weight);
    const b = use.node.input[use.input]!;
    // An input left float (its calibration failed) keeps a float bias.
    if (!input || !wScales) continue;
    const q = quantizeBias(floatData(b), input.scale, wScales, use.beta);
    clampedBiasValues += q.clamped;
    const n = q.data.length;
    const perChannel = q.scales.length > 1;
    const qName = fresh(`${b}_quantized`);
    const sName = fresh(`${b}_quantized_scale`);
    const zName = fresh(`${b}_quantized_zero_point`);
    newInits.push(
      typedArrayToTensor(qName, DT.INT32, [n], q.data),
      typedArrayToTensor(sName, DT.FLOAT, perChannel ? [n] : [], q.scales),
      typedArrayToTensor(zName, DT.INT32, perChannel ? [n] : [], new Int32Array(perChannel ? n : 1)),
    );
    const output = fresh(`${b}_DequantizeLinear_Output`);
    newNodes.push(
      makeNode('DequantizeLinear', [qName, sName, zName], [output], perChannel ? { axis: 0 } : {}, {
        name: freshNode(`${b}_DequantizeLinear`),
      }),
    );
    use.node.input[use.input] = output;
  }

  // Constant inputs of Add/Mul/Concat: activation type over their own range, as the kernel wants one type.
  const doneConstants = new Map<string, string>();
  for (const use of plan.constants) {
    const c = use.node.input[use.input]!;
    let output = doneConstants.get(c);
    if (!output) {
      const data = floatData(c);
      const { min, max } = arrayMinMax(data);
      const p = computeScaleZeroPoint(min, max, qType, { symmetric: opts.symmetricActivations });
      const qName = fresh(`${c}_quantized`);
      const sName = fresh(`${c}_scale`);
      const zName = fresh(`${c}_zero_point`);
      newInits.push(
        typedArrayToTensor(qName, qDt, dims(c), quantizeArray(data, p.scale, p.zeroPoint, qType)),
        scalarFloat(sName, p.scale),
        scalarQuant(zName, qDt, p.zeroPoint),
      );
      output = fresh(`${c}_DequantizeLinear_Output`);
      newNodes.push(
        makeNode(
          'DequantizeLinear',
          [qName, sName, zName],
          [output],
          {},
          { name: freshNode(`${c}_DequantizeLinear`) },
        ),
      );
      doneConstants.set(c, output);
    }
    use.node.input[use.input] = output;
  }

  graph.node.push(...newNodes);
  graph.initializer.push(...newInits);
  graph.node = topologicalOrder(graph);
  dropUnused(plan.model);
  return { quantizedTensors, clampedBiasValues };
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

function renameInput(node: NodeProto, from: string, to: string): void {
  node.input = node.input.map((i) => (i === from ? to : i));
}

function scalarFloat(name: string, value: number): TensorProto {
  return typedArrayToTensor(name, DT.FLOAT, [], Float32Array.of(value));
}

function scalarQuant(name: string, dataType: number, value: number): TensorProto {
  return typedArrayToTensor(
    name,
    dataType,
    [],
    dataType === DT.UINT8 ? Uint8Array.of(value) : Int8Array.of(value),
  );
}

/** Drops initializers nothing reads any more (the float weights), and value_info of tensors that are gone. */
function dropUnused(model: ModelProto): void {
  const graph = model.graph!;
  const read = new Set<string>(graph.output.map((o) => o.name));
  for (const n of graph.node) {
    for (const i of n.input) read.add(i);
    for (const g of subgraphsOf(n)) for (const name of outerScopeNames(g)) read.add(name);
  }
  const dropped = new Set(graph.initializer.filter((t) => !read.has(t.name)).map((t) => t.name));
  graph.initializer = graph.initializer.filter((t) => !dropped.has(t.name));
  // Old exporters list initializers as graph inputs too.
  graph.input = graph.input.filter((v) => !dropped.has(v.name));
  const exists = new Set<string>([
    ...graph.input.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
  ]);
  for (const n of graph.node) for (const o of n.output) exists.add(o);
  graph.valueInfo = graph.valueInfo.filter((v) => exists.has(v.name));
}
