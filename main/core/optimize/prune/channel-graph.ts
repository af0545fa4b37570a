/**
 * Finds the channel groups of a float model that can be pruned together, by following channels through the
 * graph (after NNCF's pruning node selector, on ONNX nodes).
 *
 * Every tensor that carries channels on axis 1 (NCHW activations, and [N, C] rows after Flatten/Gemm) gets a
 * layout: the channel spaces it is made of, in order (one space for most tensors, several after a Concat on
 * axis 1), and how many elements each channel spans there (1, or H·W after a Flatten of a spatial map).
 * - A Conv with group 1, a Gemm and a 2-D MatMul with a constant weight PRODUCE a new space (their output
 *   channels) and CONSUME their input's layout (weight columns follow it).
 * - Element-wise activations, BatchNormalization, pooling, Dropout, Pad and a depthwise Conv PASS a layout on
 *   (a depthwise conv's channels follow its input, so it joins its producer's group).
 * - Add/Sub/Mul/Div/Max/Min/Sum of two activations JOIN their spaces into one group: residual blocks, and
 *   Squeeze-Excitation gates (HardSigmoid(Conv(…)) · x) whose last Conv must then lose the channels x loses.
 *   A constant operand must broadcast per channel (or be a scalar); it is sliced along.
 * - Concat on axis 1 concatenates layouts; Flatten from axis 1 repeats every channel H·W times.
 * - Any other consumer (Reshape, Transpose, Softmax, unknown ops, subgraphs) BLOCKS the spaces it reads, and so
 *   does a graph output: its channels are the model's interface. A blocked group is never pruned.
 */
import {
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import {
  getAttr,
  getAttrInt,
  tensorToTypedArray,
  getAttrInts,
  nodeDependencies,
  subgraphsOf,
  topologicalOrder,
  type ValueShape,
} from '../../onnx';
import {
  constantTensors,
  isDefaultDomain,
  isExcluded,
  nodeLabel,
  type ConstantTensor,
} from '../passes/graph-edit';

type Segment = { space: number; size: number };
/** Channels on axis 1: spaces in order, each channel repeated `repeat` times (Flatten of a spatial map). */
export type Layout = { segments: Segment[]; repeat: number };

type ProducerKind = 'conv' | 'conv-transpose' | 'gemm' | 'matmul';
export type Producer = { node: NodeProto; kind: ProducerKind; space: number };

export type ChannelGraph = {
  layouts: Map<string, Layout>;
  producers: Producer[];
  /** Union-find root of a space. */
  find(space: number): number;
  size(space: number): number;
  /** Why a space's group may not be pruned (empty: prunable). */
  blockers(space: number): string[];
  /** Roots of every group with at least one producer. */
  groups(): number[];
  producersOf(root: number): Producer[];
  constants: Map<string, ConstantTensor>;
  shapes: ReadonlyMap<string, ValueShape>;
};

const PASS_THROUGH = new Set([
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Elu',
  'Selu',
  'Celu',
  'Softplus',
  'Softsign',
  'Gelu',
  'Mish',
  'Abs',
  'Neg',
  'Identity',
  'ThresholdedRelu',
  'MaxPool',
  'AveragePool',
  'LpPool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'GlobalLpPool',
]);
/** Ops whose extra inputs are scalars (Clip's min/max) or whose extra outputs nobody may read (Dropout's mask). */
const PASS_FIRST_INPUT = new Set(['Clip', 'Dropout']);
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Sum']);
/** Per-channel parameters in inputs 1.. (all sliced along with the channels). */
const PER_CHANNEL_PARAMS = new Set(['BatchNormalization', 'InstanceNormalization', 'PRelu']);

type Space = { parent: number; size: number; blockers: string[] };

export function analyzeChannels(
  model: ModelProto,
  shapes: ReadonlyMap<string, ValueShape>,
  opts: { exclude: readonly string[] },
): ChannelGraph {
  const graph = model.graph as GraphProto;
  const spaces: Space[] = [];
  const layouts = new Map<string, Layout>();
  const producers: Producer[] = [];
  const constants = constantTensors(graph);
  const isConst = (name: string | undefined) => name !== undefined && name !== '' && constants.has(name);

  const newSpace = (size: number, blocker?: string): number => {
    spaces.push({ parent: spaces.length, size, blockers: blocker ? [blocker] : [] });
    return spaces.length - 1;
  };
  const find = (s: number): number => {
    let r = s;
    while (spaces[r]!.parent !== r) r = spaces[r]!.parent;
    while (spaces[s]!.parent !== r) {
      const next = spaces[s]!.parent;
      spaces[s]!.parent = r;
      s = next;
    }
    return r;
  };
  const block = (layout: Layout | undefined, reason: string) => {
    if (!layout) return;
    for (const seg of layout.segments) {
      const b = spaces[find(seg.space)]!.blockers;
      if (!b.includes(reason)) b.push(reason);
    }
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    spaces[rb]!.parent = ra;
    for (const r of spaces[rb]!.blockers) if (!spaces[ra]!.blockers.includes(r)) spaces[ra]!.blockers.push(r);
  };
  const total = (l: Layout) => l.segments.reduce((n, s) => n + s.size, 0);
  const sameStructure = (a: Layout, b: Layout) =>
    a.repeat === b.repeat &&
    a.segments.length === b.segments.length &&
    a.segments.every((s, i) => s.size === b.segments[i]!.size);
  const shapeOf = (name: string | undefined) => (name ? (shapes.get(name)?.shape ?? null) : null);
  const rankOf = (name: string | undefined) => shapeOf(name)?.length;
  const channelDim = (name: string | undefined): number | undefined => {
    const d = shapeOf(name)?.[1];
    return typeof d === 'number' ? d : undefined;
  };
  const isFloatConst = (name: string | undefined) =>
    isConst(name) && constants.get(name!)!.tensor.dataType === DT.FLOAT;
  /** A constant that broadcasts as one value per channel (or one value) against a rank-`rank` tensor. */
  const perChannelConst = (name: string, rank: number, channels: number): boolean => {
    const t = constants.get(name)?.tensor;
    if (!t || t.dataType !== DT.FLOAT || t.dims.length > rank) return false;
    const dims = t.dims.map(Number);
    const padded = [...Array<number>(rank - dims.length).fill(1), ...dims];
    return padded.every((d, i) => d === 1 || (i === 1 && d === channels));
  };

  for (const vi of graph.input) {
    if (constants.has(vi.name)) continue;
    const c = channelDim(vi.name);
    if (c !== undefined && (rankOf(vi.name) ?? 0) >= 2) {
      layouts.set(vi.name, {
        segments: [{ space: newSpace(c, `graph input '${vi.name}'`), size: c }],
        repeat: 1,
      });
    }
  }

  const excluded = (node: NodeProto) => isExcluded(node, opts.exclude);
  const label = (node: NodeProto) => `${node.opType} '${nodeLabel(node)}'`;
  const fresh = (node: NodeProto, size: number, blocker?: string): Layout => ({
    segments: [{ space: newSpace(size, blocker), size }],
    repeat: 1,
  });

  for (const node of topologicalOrder(graph)) {
    const inLayouts = node.input.map((i) => (i ? layouts.get(i) : undefined));
    const out = node.output[0] ?? '';
    const blockAll = (reason: string) => inLayouts.forEach((l) => block(l, reason));
    const setOut = (l: Layout | undefined) => {
      if (l && out) layouts.set(out, l);
    };
    if (!isDefaultDomain(node.domain) || subgraphsOf(node).length > 0) {
      // Subgraphs read outer tensors by name, beyond node.input: block those too.
      for (const dep of nodeDependencies(node))
        block(layouts.get(dep), `${label(node)} (not a channel-wise op)`);
      continue;
    }
    const extraOutputsRead = node.output.slice(1).some((o) => o !== '');
    const x = inLayouts[0];
    const op = node.opType;

    if (op === 'Conv') {
      inLayouts.slice(1).forEach((l) => block(l, `${label(node)} (weight or bias computed at run time)`));
      const w = constants.get(node.input[1] ?? '')?.tensor;
      const group = getAttrInt(node, 'group', 1);
      const cout = w ? Number(w.dims[0]) : channelDim(out);
      if (!w || w.dataType !== DT.FLOAT || (node.input[2] && !isFloatConst(node.input[2]))) {
        block(x, `${label(node)} (weight is not a float32 constant)`);
        if (cout !== undefined)
          setOut(fresh(node, cout, `${label(node)} (weight is not a float32 constant)`));
        continue;
      }
      const cinPerGroup = Number(w.dims[1]);
      if (group === 1) {
        if (x && total(x) * x.repeat !== cinPerGroup)
          block(x, `${label(node)} (input channels do not match)`);
        if (x && x.repeat !== 1) block(x, `${label(node)} (reads a flattened tensor)`);
        const space = newSpace(cout!, excluded(node) ? `${label(node)} (excluded)` : undefined);
        producers.push({ node, kind: 'conv', space });
        setOut({ segments: [{ space, size: cout! }], repeat: 1 });
      } else if (cinPerGroup === 1 && cout === group && x && total(x) === group && x.repeat === 1) {
        // Depthwise: channel c of the output is computed from channel c of the input alone.
        if (excluded(node)) block(x, `${label(node)} (excluded)`);
        setOut(x);
      } else {
        block(x, `${label(node)} (grouped convolution, group ${group})`);
        setOut(fresh(node, cout!, `${label(node)} (grouped convolution, group ${group})`));
      }
      continue;
    }

    if (op === 'ConvTranspose') {
      // Weight [Cin, Cout/group, k…]: input channels on axis 0, output channels on axis 1.
      inLayouts.slice(1).forEach((l) => block(l, `${label(node)} (weight or bias computed at run time)`));
      const w = constants.get(node.input[1] ?? '')?.tensor;
      const group = getAttrInt(node, 'group', 1);
      const hasShape = getAttr(node, 'output_shape') !== undefined;
      const ok =
        w &&
        w.dataType === DT.FLOAT &&
        group === 1 &&
        !hasShape &&
        (!node.input[2] || isFloatConst(node.input[2]));
      if (!ok) {
        block(x, `${label(node)} (grouped, output_shape, or weight not a float32 constant)`);
        const c = channelDim(out);
        if (c !== undefined)
          setOut(fresh(node, c, `${label(node)} (grouped, output_shape, or non-constant weight)`));
        continue;
      }
      const cout = Number(w.dims[1]);
      if (x && (total(x) !== Number(w.dims[0]) || x.repeat !== 1))
        block(x, `${label(node)} (input channels do not match)`);
      const space = newSpace(cout, excluded(node) ? `${label(node)} (excluded)` : undefined);
      producers.push({ node, kind: 'conv-transpose', space });
      setOut({ segments: [{ space, size: cout }], repeat: 1 });
      continue;
    }

    if (op === 'Resize' || op === 'Upsample') {
      // Scales of 1 on the batch and channel axes resize each channel on its own; `sizes` spells the channel
      // count out, so it blocks.
      const scalesName = op === 'Resize' ? node.input[2] : node.input[1];
      const scales = scalesName ? constants.get(scalesName)?.tensor : undefined;
      const values = scales && scales.dataType === DT.FLOAT ? readFloats(scales) : undefined;
      const sizes = op === 'Resize' && node.input[3];
      if (!values || values[0] !== 1 || values[1] !== 1 || sizes) {
        blockAll(`${label(node)} (sizes or non-constant scales)`);
        continue;
      }
      inLayouts.slice(1).forEach((l) => block(l, `${label(node)} (parameter input)`));
      setOut(x);
      continue;
    }

    if (op === 'Gemm' || op === 'MatMul') {
      inLayouts.slice(1).forEach((l) => block(l, `${label(node)} (weight computed at run time)`));
      const w = constants.get(node.input[1] ?? '')?.tensor;
      const transA = op === 'Gemm' ? getAttrInt(node, 'transA', 0) : 0;
      const transB = op === 'Gemm' ? getAttrInt(node, 'transB', 0) : 0;
      const rank2 = rankOf(node.input[0]) === 2;
      const ok = w && w.dataType === DT.FLOAT && w.dims.length === 2 && rank2 && transA === 0;
      if (!ok) {
        block(x, `${label(node)} (not a 2-D product with a constant weight)`);
        continue;
      }
      const k = Number(w.dims[transB ? 1 : 0]);
      const n = Number(w.dims[transB ? 0 : 1]);
      if (x && total(x) * x.repeat !== k) block(x, `${label(node)} (input columns do not match)`);
      const c = op === 'Gemm' ? node.input[2] : undefined;
      let why = excluded(node) ? `${label(node)} (excluded)` : undefined;
      if (c && !perChannelConst(c, 2, n)) why ??= `${label(node)} (bias is not one value per column)`;
      const space = newSpace(n, why);
      producers.push({ node, kind: op === 'Gemm' ? 'gemm' : 'matmul', space });
      setOut({ segments: [{ space, size: n }], repeat: 1 });
      continue;
    }

    if (PASS_THROUGH.has(op) || PASS_FIRST_INPUT.has(op)) {
      if (extraOutputsRead && op !== 'Dropout') blockAll(`${label(node)} (second output is read)`);
      else if (extraOutputsRead) blockAll(`${label(node)} (mask output is read)`);
      if (PASS_FIRST_INPUT.has(op))
        inLayouts.slice(1).forEach((l) => block(l, `${label(node)} (parameter input)`));
      setOut(x);
      continue;
    }

    if (PER_CHANNEL_PARAMS.has(op)) {
      const rank = rankOf(node.input[0]);
      const channels = x ? total(x) : undefined;
      const paramsOk =
        x !== undefined &&
        rank !== undefined &&
        x.repeat === 1 &&
        node.input
          .slice(1)
          .every((p) => !p || (isFloatConst(p) && perChannelParam(constants, p, op, rank, channels!)));
      if (!paramsOk) blockAll(`${label(node)} (parameters are not one constant per channel)`);
      if (extraOutputsRead) blockAll(`${label(node)} (training outputs are read)`);
      setOut(x);
      continue;
    }

    if (ELEMENTWISE.has(op)) {
      const rank = rankOf(out);
      const live = node.input.map((name, i) => ({ name, layout: inLayouts[i] }));
      const activations = live.filter((l) => l.layout !== undefined);
      const first = activations[0]?.layout;
      let ok = first !== undefined && rank !== undefined;
      for (const a of activations) {
        if (rankOf(a.name) !== rank || !sameStructure(a.layout!, first!)) ok = false;
      }
      for (const l of live) {
        if (l.layout || !l.name) continue;
        if (!first || !isConst(l.name) || !perChannelConst(l.name, rank ?? 0, total(first) * first.repeat))
          ok = false;
        if (first && first.repeat !== 1 && !isScalarConst(constants, l.name)) ok = false;
      }
      if (!ok) {
        blockAll(`${label(node)} (operands that do not line up channel by channel)`);
        setOut(first);
        continue;
      }
      for (const a of activations.slice(1)) {
        a.layout!.segments.forEach((s, i) => union(first!.segments[i]!.space, s.space));
      }
      setOut(first);
      continue;
    }

    if (op === 'Concat') {
      const rank = rankOf(out);
      const axis = getAttrInt(node, 'axis', 1);
      const norm = rank !== undefined && axis < 0 ? axis + rank : axis;
      if (
        norm === 1 &&
        inLayouts.every((l, i) => l !== undefined || channelDim(node.input[i]) !== undefined)
      ) {
        const segments: Segment[] = [];
        const repeats = new Set<number>();
        node.input.forEach((name, i) => {
          const l =
            inLayouts[i] ??
            fresh(node, channelDim(name)!, `${label(node)} (input '${name}' has no tracked channels)`);
          repeats.add(l.repeat);
          segments.push(...l.segments);
        });
        if (repeats.size !== 1 || !repeats.has(1)) {
          blockAll(`${label(node)} (concatenates flattened tensors)`);
          continue;
        }
        setOut({ segments, repeat: 1 });
      } else if (
        norm !== 1 &&
        inLayouts.every((l) => l !== undefined) &&
        inLayouts.every((l) => sameStructure(l!, x!))
      ) {
        // Joined along another axis: channel c of every input lands in channel c of the output.
        for (const l of inLayouts.slice(1))
          l!.segments.forEach((s, i) => union(x!.segments[i]!.space, s.space));
        setOut(x);
      } else {
        blockAll(`${label(node)} (inputs without matching channels)`);
      }
      continue;
    }

    if (op === 'Flatten' || op === 'Reshape' || op === 'Squeeze') {
      const inShape = shapeOf(node.input[0]);
      const outShape = shapeOf(out);
      const flat = x && inShape && outShape && flattenRepeat(node, inShape, outShape);
      if (!flat) {
        blockAll(`${label(node)} (reshapes across channels)`);
        continue;
      }
      if (op === 'Reshape') {
        inLayouts.slice(1).forEach((l) => block(l, `${label(node)} (shape input)`));
        // allowzero=1 would read a 0 in the rewritten shape [0, -1] as an empty axis.
        if (getAttrInt(node, 'allowzero', 0) !== 0) {
          blockAll(`${label(node)} (allowzero)`);
          continue;
        }
      }
      setOut({ segments: x.segments, repeat: x.repeat * flat });
      continue;
    }

    if (op === 'Pad') {
      const pads = padsOf(node, constants);
      const rank = rankOf(node.input[0]);
      if (!pads || rank === undefined || pads[1] !== 0 || pads[1 + rank] !== 0) {
        blockAll(`${label(node)} (pads the channel axis, or pads not constant)`);
      }
      setOut(x);
      continue;
    }

    if (op === 'Cast' || op === 'Constant' || op === 'Shape' || op === 'Size') {
      if (op === 'Cast') setOut(x);
      continue;
    }

    blockAll(`${label(node)} (mixes or reorders channels)`);
  }

  for (const out of graph.output) block(layouts.get(out.name), `graph output '${out.name}'`);

  return {
    layouts,
    producers,
    find,
    size: (s) => spaces[find(s)]!.size,
    blockers: (s) => spaces[find(s)]!.blockers,
    groups: () => [...new Set(producers.map((p) => find(p.space)))],
    producersOf: (root) => producers.filter((p) => find(p.space) === root),
    constants,
    shapes,
  };
}

function isScalarConst(constants: Map<string, ConstantTensor>, name: string): boolean {
  const t = constants.get(name)?.tensor;
  return t !== undefined && t.dims.every((d) => Number(d) === 1);
}

/** BatchNormalization/InstanceNormalization take [C] params; PRelu's slope broadcasts like an operand. */
function perChannelParam(
  constants: Map<string, ConstantTensor>,
  name: string,
  op: string,
  rank: number,
  channels: number,
): boolean {
  const t = constants.get(name)!.tensor;
  const dims = t.dims.map(Number);
  if (op !== 'PRelu') return dims.length === 1 && dims[0] === channels;
  if (dims.length > rank) return false;
  const padded = [...Array<number>(rank - dims.length).fill(1), ...dims];
  return padded.every((d, i) => d === 1 || (i === 1 && d === channels));
}

/**
 * How many elements each channel spans after a Flatten/Reshape/Squeeze that keeps the batch axis and folds the
 * channels with what follows them into axis 1 ([N, C, H, W] → [N, C·H·W], [N, C, 1, 1] → [N, C]); undefined for
 * any other reshape. Needs known channel and spatial sizes.
 */
function flattenRepeat(
  node: NodeProto,
  inShape: readonly (number | string | null)[],
  outShape: readonly (number | string | null)[],
): number | undefined {
  if (inShape.length < 2 || outShape.length !== 2) return undefined;
  if (node.opType === 'Flatten' && getAttrInt(node, 'axis', 1) !== 1) return undefined;
  if (node.opType === 'Squeeze') {
    const axes = getAttrInts(node, 'axes');
    if (axes && axes.some((a) => a === 0 || a === 1 || a === -inShape.length || a === 1 - inShape.length)) {
      return undefined;
    }
  }
  const rest = inShape.slice(2);
  if (!rest.every((d) => typeof d === 'number') || typeof inShape[1] !== 'number') return undefined;
  const repeat = (rest as number[]).reduce((n, d) => n * d, 1);
  if (outShape[1] !== inShape[1] * repeat) return undefined;
  if (outShape[0] !== inShape[0]) return undefined;
  return repeat;
}

/** Pad amounts, from the `pads` attribute (opset < 11) or a constant input. */
function padsOf(node: NodeProto, constants: Map<string, ConstantTensor>): number[] | undefined {
  const attr = getAttrInts(node, 'pads');
  if (attr) return attr;
  const t = constants.get(node.input[1] ?? '')?.tensor;
  if (!t) return undefined;
  if (node.input[3]) return undefined; // axes input: keep it simple, refuse
  const values = t.int64Data.length > 0 ? t.int64Data.map(Number) : undefined;
  if (values) return values;
  if (t.rawData.byteLength > 0 && t.dataType === DT.INT64) {
    const bytes = new Uint8Array(t.rawData);
    return [...new BigInt64Array(bytes.buffer)].map(Number);
  }
  return undefined;
}

function readFloats(t: TensorProto): number[] {
  return [...(tensorToTypedArray(t) as Float32Array)];
}
