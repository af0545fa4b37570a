/**
 * Model preparation before channel pruning: BatchNormalization folded into the convolutions before it (so a
 * removed channel takes its BN parameters with it and the pruned model has no BN left to run), Identity and
 * constant sub-graphs folded (ONNX Runtime's basic level, as static INT8 does), then constant Mul/Add after a
 * Conv folded too. The |γ| of every folded BatchNormalization is kept first: the bn-gamma importance needs it and
 * folding erases it.
 */
import type { ModelProto } from 'onnx-buf';
import {
  cloneModelSharingTensorData,
  consumerMap,
  inferShapes,
  producerMap,
  type ValueShape,
} from '../../onnx';
import { foldConvAffine, ortBasicOptimize } from '../preprocess';
import { constantTensors, createNameScope, readFloat32 } from '../passes/graph-edit';

type PreparedModel = {
  model: ModelProto;
  shapes: Map<string, ValueShape>;
  /** |γ| of the BatchNormalization after each Conv/Gemm, by that node's name. */
  gammas: Map<string, Float32Array>;
};

export async function prepareForPruning(model: ModelProto, scratchDir: string): Promise<PreparedModel> {
  const named = cloneModelSharingTensorData(model);
  const graph = named.graph!;
  // ONNX Runtime keeps node names through its fusions: name every node so the γ can be found again afterwards.
  const scope = createNameScope(graph);
  for (const node of graph.node)
    if (!node.name) node.name = scope.unique(`${node.opType}_${node.output[0] ?? ''}`);

  const gammas = new Map<string, Float32Array>();
  const constants = constantTensors(graph);
  const producers = producerMap(graph);
  const consumers = consumerMap(graph);
  for (const node of graph.node) {
    if (node.opType !== 'BatchNormalization') continue;
    const producer = producers.get(node.input[0] ?? '');
    const scale = constants.get(node.input[1] ?? '')?.tensor;
    if (!producer || !scale || (consumers.get(node.input[0]!)?.length ?? 0) !== 1) continue;
    if (producer.opType !== 'Conv' && producer.opType !== 'Gemm' && producer.opType !== 'MatMul') continue;
    gammas.set(producer.name, readFloat32(scale).map(Math.abs));
  }

  const optimized = await ortBasicOptimize(named, scratchDir, 'prune-pre.onnx');
  foldConvAffine(optimized);
  return { model: optimized, shapes: inferShapes(optimized), gammas };
}
