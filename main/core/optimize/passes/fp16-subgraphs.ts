/**
 * FP16 inside control flow (If/Loop/Scan bodies): the float32 weights a subgraph reads are stored as float16
 * and cast back to float32 where they are defined, so the file halves while the subgraph's computation, whose
 * tensor types shape inference cannot see, stays exactly as it was typed. On x86 CPUs ONNX Runtime computes
 * float16 ops in float32 anyway; what FP16 buys there is size, and this gives all of it.
 */
import { TensorProto_DataType as DT, type GraphProto } from 'onnx-buf';
import { outerScopeNames, subgraphsOf } from '../../onnx';
import { createNameScope, readFloat32 } from './graph-edit';
import { fitsFloat16, float16WithCast, type ClampTally } from './fp16-tensors';

/** Below this many values a weight is not worth a Cast node. */
const MIN_ELEMENTS = 16;

/** Returns how many weights were converted (in `graph`'s subgraphs, and main-graph weights only they read). */
export function storeSubgraphWeightsAsFloat16(
  graph: GraphProto,
  tally: ClampTally,
  opts: { dryRun?: boolean } = {},
): number {
  const names = createNameScope(graph);
  const readInside = new Set<string>();
  for (const node of graph.node)
    for (const sub of subgraphsOf(node)) for (const n of outerScopeNames(sub)) readInside.add(n);
  const readHere = new Set<string>();
  for (const node of graph.node) for (const n of node.input) readHere.add(n);
  let count = convertIn(graph, (name) => readInside.has(name) && !readHere.has(name));
  const visit = (g: GraphProto) => {
    for (const node of g.node) {
      for (const sub of subgraphsOf(node)) {
        count += convertIn(sub, () => true);
        visit(sub);
      }
    }
  };
  visit(graph);
  return count;

  function convertIn(g: GraphProto, wanted: (name: string) => boolean): number {
    const casts = [];
    let n = 0;
    for (const [i, t] of g.initializer.entries()) {
      if (t.dataType !== DT.FLOAT || !wanted(t.name)) continue;
      if (readFloat32(t).length < MIN_ELEMENTS || !fitsFloat16(t)) continue;
      n++;
      if (opts.dryRun) continue;
      const { half, cast } = float16WithCast(t, t.name, names, tally);
      g.initializer[i] = half;
      casts.push(cast);
    }
    if (casts.length > 0) g.node = [...casts, ...g.node];
    return n;
  }
}
