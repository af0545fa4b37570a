import type { ModelProto } from 'onnx-buf';
import { tensorDataByteLength } from '../../onnx';
import type { TensorShape } from './analyze-model';
import { weightBytes } from './node-cost';

/**
 * Memory a variant needs on a target: runtime + weights + the largest set of intermediate tensors alive at once.
 *
 * - Weights count `weightCopies` times: at load, ORT holds the parsed protobuf and its own initializer tensors
 *   (and pre-packed GEMM weights) at the same moment, and the process's peak keeps that moment.
 * - Activations: walk the execution order, a tensor lives from its producer to its last consumer (graph outputs to
 *   the end). ORT's memory planner reuses freed buffers, so the peak of live bytes is what the arena needs, times
 *   `arenaGrowth` for the arena's power-of-two extension.
 */

export const weightCopies = 2;
/** ORT's CPU arena grows in power-of-two steps: on average it holds about 1.5× the planned peak. */
export const arenaGrowth = 1.5;

export type MemoryNeed = { weightsBytes: number; peakActivationBytes: number };

export function memoryNeed(model: ModelProto, shapes: ReadonlyMap<string, TensorShape>): MemoryNeed {
  const graph = model.graph;
  if (!graph) return { weightsBytes: 0, peakActivationBytes: 0 };
  const initializers = new Set(graph.initializer.map((t) => t.name));
  const bytes = (name: string): number => {
    const s = shapes.get(name);
    return s
      ? tensorDataByteLength(
          s.elemType,
          s.dims.reduce((n, d) => n * d, 1),
        )
      : 0;
  };
  const lastUse = new Map<string, number>();
  graph.node.forEach((node, i) => {
    for (const name of node.input) if (name !== '' && !initializers.has(name)) lastUse.set(name, i);
  });
  for (const o of graph.output) lastUse.set(o.name, graph.node.length);

  let live = 0;
  const alive = new Map<string, number>();
  for (const input of graph.input) {
    if (initializers.has(input.name)) continue;
    const b = bytes(input.name);
    alive.set(input.name, b);
    live += b;
  }
  let peak = live;
  graph.node.forEach((node, i) => {
    for (const name of node.output) {
      if (name === '' || alive.has(name)) continue;
      const b = bytes(name);
      alive.set(name, b);
      live += b;
    }
    peak = Math.max(peak, live);
    for (const [name, b] of alive) {
      if ((lastUse.get(name) ?? -1) <= i) {
        alive.delete(name);
        live -= b;
      }
    }
  });
  return { weightsBytes: weightBytes(model), peakActivationBytes: peak };
}
