import { TensorProto_DataType as DT, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import { cloneModelSharingTensorData } from '../onnx/clone-model';
import { getAttr, getAttrTensor, topologicalOrder } from '../onnx/graph';
import { defaultOpsetVersion } from '../onnx/shape-inference';
import { typedArrayToTensor } from '../onnx/tensor';
import { basicOps, tensorFromProto } from './ops-basic';
import * as nn from './ops-nn';
import { QAT_DOMAIN, quantOps } from './ops-quant';
import { nodeLabel, type OpImpl } from './op-types';
import { tf } from './tf';

const ops: Record<string, OpImpl> = {
  ...basicOps,
  Conv: nn.conv,
  MaxPool: nn.maxPool,
  AveragePool: nn.averagePool,
  GlobalAveragePool: nn.globalAveragePool,
  GlobalMaxPool: nn.globalMaxPool,
  BatchNormalization: nn.batchNormalization,
  LayerNormalization: nn.layerNormalization,
  Gemm: nn.gemm,
  MatMul: nn.matMul,
  Softmax: nn.softmax,
  LogSoftmax: nn.logSoftmax,
  ...quantOps,
};

/** Op types the engine runs (and differentiates). */
const supportedOps: readonly string[] = Object.keys(ops)
  .filter((op) => !op.startsWith('Qat'))
  .sort();

/**
 * Input slots that hold learnable parameters, by op type. A float initializer trains only when every reader
 * reads it in such a slot: BatchNormalization's running statistics, Clip bounds and shape tensors stay fixed.
 */
const parameterSlots: Record<string, readonly number[]> = {
  Conv: [1, 2],
  Gemm: [0, 1, 2],
  MatMul: [0, 1],
  Add: [0, 1],
  Sub: [0, 1],
  Mul: [0, 1],
  Div: [0, 1],
  BatchNormalization: [1, 2],
  LayerNormalization: [1, 2],
  QatWeight: [0],
  QatScale: [0],
};

type CompileOptions = {
  /** Initializers that must stay fixed even in a parameter slot. */
  frozen?: ReadonlySet<string>;
  /** Graph tensors to return besides the graph outputs (e.g. the logits before a final Softmax). */
  extraOutputs?: readonly string[];
};

/**
 * An ONNX graph as a differentiable function. Its trainable initializers are tfjs variables: a tfjs
 * optimizer updates them, `exportModel` writes them back into a copy of the model.
 */
export type TrainableGraph = {
  inputNames: readonly string[];
  outputNames: readonly string[];
  /** Trainable initializers by name. */
  params: ReadonlyMap<string, tf.Variable>;
  /** Runs the graph; call inside tf.tidy or an optimizer's loss function (intermediates are not disposed). */
  forward(feeds: Readonly<Record<string, tf.Tensor>>): Record<string, tf.Tensor>;
  /** A NEW model: the source model with every trainable initializer replaced by its current value. */
  exportModel(): ModelProto;
  /** Current parameter values (a checkpoint), and restoring one. */
  snapshot(): Map<string, Float32Array>;
  restore(values: ReadonlyMap<string, Float32Array>): void;
  parameterCount(): number;
  dispose(): void;
};

/**
 * Refuses up front (TRAIN_UNSUPPORTED_OP) a model with ops the engine cannot run, naming every such op type
 * with its first nodes, so the user sees the whole list at once.
 */
export function checkTrainable(model: ModelProto): void {
  const graph = model.graph;
  if (!graph) throw new AppError('MODEL_INVALID', 'The model has no graph.');
  const bad = new Map<string, NodeProto[]>();
  for (const node of graph.node) {
    const custom = node.domain !== '' && node.domain !== 'ai.onnx' && node.domain !== QAT_DOMAIN;
    if (custom || !(node.opType in ops)) {
      const key = custom ? `${node.domain}.${node.opType}` : node.opType;
      bad.set(key, [...(bad.get(key) ?? []), node]);
    }
  }
  if (bad.size === 0) return;
  const list = [...bad].map(
    ([op, nodes]) =>
      `${op} (node${nodes.length > 1 ? 's' : ''} ${nodes
        .slice(0, 3)
        .map((n) => `'${n.name || n.output[0]}'`)
        .join(', ')}${nodes.length > 3 ? `, … ${nodes.length} in all` : ''})`,
  );
  throw new AppError(
    'TRAIN_UNSUPPORTED_OP',
    `The training engine cannot run ${list.join('; ')}. Supported ops: ${supportedOps.join(', ')}.`,
    { ops: [...bad.keys()], nodes: [...bad.values()].flat().map((n) => n.name) },
  );
}

export function compileGraph(model: ModelProto, options: CompileOptions = {}): TrainableGraph {
  checkTrainable(model);
  const graph = model.graph!;
  const order = topologicalOrder(graph);
  const opset = defaultOpsetVersion(model);
  const initNames = new Set(graph.initializer.map((t) => t.name));
  const inputNames = graph.input.map((v) => v.name).filter((n) => !initNames.has(n));
  const outputNames = [...graph.output.map((v) => v.name), ...(options.extraOutputs ?? [])];

  // Weights live in initializers or, in some exporters (Paddle), in Constant nodes: both can train.
  const sources = new Map<string, TensorProto>(graph.initializer.map((t) => [t.name, t]));
  const constNodes = new Set<NodeProto>();
  for (const node of graph.node) {
    const t =
      node.opType === 'Constant' && node.output.length === 1 ? getAttrTensor(node, 'value') : undefined;
    if (t) {
      sources.set(node.output[0]!, t);
      constNodes.add(node);
    }
  }
  const trainable = new Set(
    [...sources]
      .filter(([name, t]) => t.dataType === DT.FLOAT && !options.frozen?.has(name))
      .map(([name]) => name),
  );
  for (const node of graph.node) {
    const slots = parameterSlots[node.opType] ?? [];
    node.input.forEach((name, i) => {
      if (!slots.includes(i)) trainable.delete(name);
    });
  }
  // Graph outputs that are initializers are read back as they are: keep them fixed.
  for (const name of outputNames) trainable.delete(name);

  const constants = new Map<string, tf.Tensor>();
  const params = new Map<string, tf.Variable>();
  for (const [name, t] of sources) {
    const value = tensorFromProto(t);
    if (trainable.has(name)) {
      params.set(name, tf.variable(value, true));
      value.dispose();
    } else {
      constants.set(name, value);
    }
  }
  const runOrder = order.filter((n) => !constNodes.has(n));

  const forward = (feeds: Readonly<Record<string, tf.Tensor>>): Record<string, tf.Tensor> => {
    const values = new Map<string, tf.Tensor>([...constants, ...params]);
    for (const name of inputNames) {
      const feed = feeds[name];
      if (!feed) throw new AppError('DATA_SHAPE_MISMATCH', `No value for the model input '${name}'.`);
      values.set(name, feed);
    }
    for (const node of runOrder) {
      const inputs = node.input.map((name) => {
        if (name === '') return undefined;
        const v = values.get(name);
        if (!v)
          throw new AppError('MODEL_INVALID', `Node ${nodeLabel(node)} reads '${name}', never computed.`);
        return v;
      });
      let outs: tf.Tensor[];
      try {
        outs = ops[node.opType]!(node, inputs, { opset });
      } catch (err) {
        if (err instanceof AppError) throw err;
        const shapes = inputs.map((t) => (t ? `[${t.shape.join(',')}]` : '-')).join(' ');
        throw new AppError(
          'TRAIN_UNSUPPORTED_OP',
          `Node ${nodeLabel(node)} failed in the training engine on inputs ${shapes}: ${(err as Error).message}`,
          { node: node.name, opType: node.opType },
        );
      }
      node.output.forEach((name, i) => {
        if (name !== '' && outs[i]) values.set(name, outs[i]!);
      });
    }
    const result: Record<string, tf.Tensor> = {};
    for (const name of outputNames) {
      const v = values.get(name);
      if (!v) throw new AppError('MODEL_INVALID', `The graph output '${name}' is never computed.`);
      result[name] = v;
    }
    return result;
  };

  return {
    inputNames,
    outputNames,
    params,
    forward,
    exportModel() {
      const copy = cloneModelSharingTensorData(model);
      const g = copy.graph!;
      const fresh = (name: string, t: TensorProto): TensorProto => {
        const v = params.get(name);
        if (!v) return t;
        const out = typedArrayToTensor(
          t.name,
          DT.FLOAT,
          t.dims.map((d) => Number(d)),
          Float32Array.from(v.dataSync()),
        );
        out.docString = t.docString;
        return out;
      };
      g.initializer = g.initializer.map((t) => fresh(t.name, t));
      for (const node of g.node) {
        if (node.opType !== 'Constant' || !params.has(node.output[0] ?? '')) continue;
        const attr = getAttr(node, 'value');
        if (attr?.t) attr.t = fresh(node.output[0]!, attr.t);
      }
      return copy;
    },
    snapshot: () => new Map([...params].map(([k, v]) => [k, Float32Array.from(v.dataSync())])),
    restore(values) {
      for (const [k, data] of values) {
        const v = params.get(k);
        if (v) tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
      }
    },
    parameterCount: () => [...params.values()].reduce((n, v) => n + v.size, 0),
    dispose() {
      for (const t of constants.values()) t.dispose();
      for (const v of params.values()) v.dispose();
    },
  };
}
