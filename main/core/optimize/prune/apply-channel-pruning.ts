/**
 * Removes the channels a plan drops from a model, densely: every weight, bias and per-channel parameter that
 * touches a removed channel is cut to the kept rows/columns, depthwise convolutions get their new `group`, and
 * Reshapes that flatten a pruned map get a shape that no longer spells out the old size. Nodes are neither added
 * nor removed, so node i of the result is node i of the input (the per-layer report relies on it).
 */
import { TensorProto_DataType as DT, type ModelProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { cloneModelSharingTensorData, getAttr, getAttrInt, typedArrayToTensor } from '../../onnx';
import {
  allowInitializersOutsideInputs,
  createNameScope,
  dimsOf,
  readFloat32,
  removeUnusedConstants,
} from '../passes/graph-edit';
import type { ChannelGraph, Layout } from './channel-graph';

/** Kept channel indices (ascending) by group root; groups not listed keep every channel. */
export type KeepPlan = Map<number, number[]>;

type PrunedModel = {
  model: ModelProto;
  /** Node of the input → the same node in the result. */
  nodes: Map<NodeProto, NodeProto>;
};

/**
 * `means`: the mean of every channel of a layer input (channel-means.ts). When given, what the removed input
 * channels contributed on average is added to the layer's bias (bias compensation).
 */
export function applyChannelPruning(
  model: ModelProto,
  cg: ChannelGraph,
  keep: KeepPlan,
  means?: ReadonlyMap<string, Float64Array>,
): PrunedModel {
  const out = cloneModelSharingTensorData(model);
  const graph = out.graph!;
  const names = createNameScope(graph);
  const replaced = new Set<string>();
  const changedTensors = new Set<string>();

  const keptOf = (layout: Layout | undefined): number[] | null => keptIndices(layout, cg, keep);
  const spaceKeep = (space: number): number[] | null => keep.get(cg.find(space)) ?? null;
  const producerSpace = new Map(cg.producers.map((p) => [p.node, p.space]));
  // The clone's nodes line up with the input's; the analysis holds the input's node objects.
  const original = model.graph!.node;
  const nodes = new Map<NodeProto, NodeProto>();

  const setInput = (node: NodeProto, i: number, t: TensorProto) => {
    replaced.add(node.input[i]!);
    node.input[i] = t.name;
    graph.initializer.push(t);
  };
  const sliced = (node: NodeProto, i: number, cuts: { axis: number; keep: number[] | null }[]) => {
    const active = cuts.filter((c) => c.keep !== null);
    if (active.length === 0) return;
    const name = node.input[i]!;
    const t = cg.constants.get(name)!.tensor;
    let data = readFloat32(t);
    let dims = dimsOf(t);
    for (const c of active) ({ data, dims } = sliceAxis(data, dims, c.axis, c.keep!));
    setInput(node, i, typedArrayToTensor(names.unique(`${name}_pruned`), DT.FLOAT, dims, data));
  };

  /**
   * Adds Σ over removed input channels of weight × channel mean to the bias (created when absent), before the
   * weights are cut. Gemm computes alpha·A·B + beta·C, so its C gets alpha/beta of it.
   */
  const compensate = (
    node: NodeProto,
    input: string,
    inKeep: number[] | null,
    kind: 'conv' | 'gemm' | 'gemm-t',
  ) => {
    const mean = means?.get(input);
    if (!inKeep || !mean) return;
    const wt = cg.constants.get(node.input[1]!)!.tensor;
    const w = readFloat32(wt);
    const dims = dimsOf(wt);
    const kept = new Set(inKeep);
    const cin = kind === 'conv' ? dims[1]! : kind === 'gemm-t' ? dims[1]! : dims[0]!;
    const cout = kind === 'conv' ? dims[0]! : kind === 'gemm-t' ? dims[0]! : dims[1]!;
    if (mean.length !== cin) return;
    const per = kind === 'conv' ? w.length / (cout * cin) : 1;
    const delta = new Float64Array(cout);
    for (let c = 0; c < cin; c++) {
      if (kept.has(c) || mean[c] === 0) continue;
      for (let o = 0; o < cout; o++) {
        let acc = 0;
        if (kind === 'conv') for (let k = 0; k < per; k++) acc += w[(o * cin + c) * per + k]!;
        else acc = kind === 'gemm-t' ? w[o * cin + c]! : w[c * cout + o]!;
        delta[o]! += acc * mean[c]!;
      }
    }
    let factor = 1;
    if (kind !== 'conv') {
      const beta = getAttr(node, 'beta')?.f ?? 1;
      if (beta === 0) return;
      factor = (getAttr(node, 'alpha')?.f ?? 1) / beta;
    }
    const biasName = node.input[2];
    const old = biasName ? cg.constants.get(biasName)!.tensor : undefined;
    const values = old ? readFloat32(old) : new Float32Array(1);
    const bias = new Float32Array(cout);
    for (let o = 0; o < cout; o++) bias[o] = values[values.length === 1 ? 0 : o]! + factor * delta[o]!;
    const t = typedArrayToTensor(
      names.unique(`${biasName || node.name || 'layer'}_compensated`),
      DT.FLOAT,
      [cout],
      bias,
    );
    // Registered as a constant so the slicing that follows finds it like any other bias.
    cg.constants.set(t.name, { kind: 'initializer', tensor: t });
    if (biasName) setInput(node, 2, t);
    else {
      while (node.input.length < 2) node.input.push('');
      node.input[2] = t.name;
      graph.initializer.push(t);
    }
  };

  graph.node.forEach((node, index) => {
    const src = original[index]!;
    nodes.set(src, node);
    const inLayout = cg.layouts.get(src.input[0] ?? '');
    const inKeep = keptOf(inLayout);
    const outLayout = cg.layouts.get(src.output[0] ?? '');
    if (keptOf(outLayout) !== null) changedTensors.add(src.output[0]!);
    const op = node.opType;
    const space = producerSpace.get(src);

    if (op === 'Conv') {
      const outKeep = space !== undefined ? spaceKeep(space) : null;
      if (space !== undefined) {
        compensate(node, src.input[0]!, inKeep, 'conv');
        sliced(node, 1, [
          { axis: 0, keep: outKeep },
          { axis: 1, keep: inKeep },
        ]);
        if (node.input[2]) sliced(node, 2, [{ axis: 0, keep: outKeep }]);
      } else if (inKeep !== null && getAttrInt(node, 'group', 1) > 1) {
        // Depthwise: it follows its input (the analysis only lets such a conv pass channels on).
        sliced(node, 1, [{ axis: 0, keep: inKeep }]);
        if (node.input[2]) sliced(node, 2, [{ axis: 0, keep: inKeep }]);
        const g = getAttr(node, 'group')!;
        g.i = BigInt(inKeep.length);
      }
      return;
    }
    if (op === 'ConvTranspose' && space !== undefined) {
      const outKeep = spaceKeep(space);
      sliced(node, 1, [
        { axis: 1, keep: outKeep },
        { axis: 0, keep: inKeep },
      ]);
      if (node.input[2]) sliced(node, 2, [{ axis: 0, keep: outKeep }]);
      return;
    }
    if ((op === 'Gemm' || op === 'MatMul') && space !== undefined) {
      const transB = op === 'Gemm' ? getAttrInt(node, 'transB', 0) : 0;
      const outKeep = spaceKeep(space);
      if (op === 'Gemm') compensate(node, src.input[0]!, inKeep, transB ? 'gemm-t' : 'gemm');
      sliced(node, 1, [
        { axis: transB ? 0 : 1, keep: outKeep },
        { axis: transB ? 1 : 0, keep: inKeep },
      ]);
      const c = node.input[2];
      if (c && outKeep) {
        const dims = dimsOf(cg.constants.get(c)!.tensor);
        if (dims.length > 0 && dims[dims.length - 1]! > 1)
          sliced(node, 2, [{ axis: dims.length - 1, keep: outKeep }]);
      }
      return;
    }
    if (op === 'BatchNormalization' || op === 'InstanceNormalization') {
      if (inKeep)
        for (let i = 1; i < node.input.length; i++)
          if (node.input[i]) sliced(node, i, [{ axis: 0, keep: inKeep }]);
      return;
    }
    if (op === 'Reshape' && inKeep && outLayout) {
      // [N, C·H·W] spelled with the old C: ask for "same batch, the rest" instead.
      const shape = typedArrayToTensor(
        names.unique(`${node.input[1]}_pruned`),
        DT.INT64,
        [2],
        BigInt64Array.from([0n, -1n]),
      );
      setInput(node, 1, shape);
      return;
    }
    // Element-wise ops and PRelu: constant operands with one value per channel follow the channels.
    const outKeep = keptOf(outLayout);
    if (outKeep === null || outLayout!.repeat !== 1) return;
    const rank = rankFromLayoutConsumer(src, cg);
    node.input.forEach((name, i) => {
      if (!name || cg.layouts.has(src.input[i]!) || !cg.constants.has(name)) return;
      const t = cg.constants.get(name)!.tensor;
      if (t.dataType !== DT.FLOAT) return;
      const dims = dimsOf(t);
      const r = Math.max(rank, dims.length);
      const axis = dims.length - (r - 1);
      if (axis >= 0 && axis < dims.length && dims[axis]! > 1) sliced(node, i, [{ axis, keep: outKeep }]);
    });
  });

  removeUnusedConstants(graph, replaced);
  // Declared shapes of pruned tensors are stale; ONNX Runtime infers them again.
  graph.valueInfo = graph.valueInfo.filter((v) => !changedTensors.has(v.name));
  allowInitializersOutsideInputs(out);
  return { model: out, nodes };
}

/** Rank of an element-wise node's output (the analysis checked it is known). */
function rankFromLayoutConsumer(node: NodeProto, cg: ChannelGraph): number {
  return cg.shapes.get(node.output[0] ?? '')?.shape?.length ?? 4;
}

/** The kept indices along a tensor's axis 1 (with Flatten repeats), or null when nothing there is pruned. */
function keptIndices(layout: Layout | undefined, cg: ChannelGraph, keep: KeepPlan): number[] | null {
  if (!layout) return null;
  let any = false;
  const channels: number[] = [];
  let offset = 0;
  for (const seg of layout.segments) {
    const k = keep.get(cg.find(seg.space));
    if (k) {
      any = true;
      for (const c of k) channels.push(offset + c);
    } else {
      for (let c = 0; c < seg.size; c++) channels.push(offset + c);
    }
    offset += seg.size;
  }
  if (!any) return null;
  if (layout.repeat === 1) return channels;
  const out: number[] = [];
  for (const c of channels) for (let r = 0; r < layout.repeat; r++) out.push(c * layout.repeat + r);
  return out;
}

/** The slices of `data` (row-major, `dims`) at the kept indices of one axis. */
export function sliceAxis(
  data: Float32Array,
  dims: readonly number[],
  axis: number,
  keep: readonly number[],
): { data: Float32Array; dims: number[] } {
  const outer = dims.slice(0, axis).reduce((n, d) => n * d, 1);
  const inner = dims.slice(axis + 1).reduce((n, d) => n * d, 1);
  const size = dims[axis]!;
  const result = new Float32Array(outer * keep.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner;
    for (const k of keep) {
      result.set(data.subarray(base + k * inner, base + (k + 1) * inner), o);
      o += inner;
    }
  }
  const newDims = [...dims];
  newDims[axis] = keep.length;
  return { data: result, dims: newDims };
}
