/**
 * Rewrites hard-swish written out of elementwise ops into ONNX's single HardSwish op (opset 14), then folds a
 * constant scalar affine that follows it into the Convs that read it:
 *
 *   x·Clip(x + 3, 0, 6)/6, x·(Clip(x + 3, 0, 6)/6), x·HardSigmoid(x; 1/6, ½)   ⇒   HardSwish(x)
 *   Conv(a·h + b, W, B)                                                   ⇒   Conv(h, a·W, B + b·ΣW)
 *                                                  (or Conv(h + b/a, a·W, B) when the Conv pads: see below)
 *
 * Why: PaddlePaddle (PP-LCNet, PP-OCRv4) and older torch exports write each hard-swish as 4 ops followed by a
 * "learnable affine block" (Mul, Add by scalars). Static INT8 quantizes and re-quantizes every one of them —
 * five rounding steps per activation, which is what ruins PP-OCRv4 rec — and ONNX Runtime runs them as five
 * passes over the tensor in float too. One HardSwish is one pass and one rounding.
 *
 * The bias part of the affine folds exactly only into a Conv without padding (padded zeros would become b);
 * into a padded Conv only the scale folds and the shift stays as one Add (by b/a). Scalars only.
 */
import {
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from 'onnx-buf';
import {
  consumerMap,
  defaultOpsetVersion,
  getAttrFloat,
  getAttrInts,
  getAttrString,
  initializerMap,
  makeNode,
  outerScopeNames,
  producerMap,
  subgraphsOf,
  tensorToTypedArray,
  typedArrayToTensor,
} from '../../onnx';

/** HardSwish exists from this opset; the ops between 13 and 14 keep their meaning under default attributes. */
const HARD_SWISH_OPSET = 14;

export type HardSwishFusion = { hardSwish: number; affineFolded: number };

const isDefault = (n: NodeProto) => n.domain === '' || n.domain === 'ai.onnx';
const near = (v: number | undefined, want: number) =>
  v !== undefined && Math.abs(v - want) <= 1e-5 * Math.max(1, Math.abs(want));

/** Fuses in place when the model's opset is 13 or 14 (it is then raised to 14). */
export function fuseHardSwish(model: ModelProto): HardSwishFusion {
  const graph = model.graph;
  const opset = defaultOpsetVersion(model);
  if (!graph || opset < 13) return { hardSwish: 0, affineFolded: 0 };
  const ctx = graphContext(graph);
  const hardSwish = fusePatterns(graph, ctx);
  if (hardSwish === 0) return { hardSwish: 0, affineFolded: 0 };
  for (const o of model.opsetImport) {
    if ((o.domain === '' || o.domain === 'ai.onnx') && Number(o.version) < HARD_SWISH_OPSET) {
      o.version = BigInt(HARD_SWISH_OPSET);
    }
  }
  const affineFolded = foldAffineIntoConvs(graph, graphContext(graph));
  return { hardSwish, affineFolded };
}

type Ctx = {
  inits: Map<string, TensorProto>;
  consumers: Map<string, NodeProto[]>;
  producers: Map<string, NodeProto>;
  protectedNames: Set<string>;
  fresh: (base: string) => string;
};

function graphContext(graph: GraphProto): Ctx {
  const inits = initializerMap(graph);
  const names = new Set<string>([...inits.keys(), ...graph.input.map((i) => i.name)]);
  for (const n of graph.node) for (const o of n.output) names.add(o);
  return {
    inits,
    consumers: consumerMap(graph),
    producers: producerMap(graph),
    // graph outputs and inputs keep their names and values
    protectedNames: new Set([...graph.output.map((o) => o.name), ...graph.input.map((i) => i.name)]),
    fresh: (base) => {
      let name = base;
      for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
      names.add(name);
      return name;
    },
  };
}

/** The value of a scalar float constant (initializer of one element), else undefined. */
function scalar(ctx: Ctx, name: string | undefined): number | undefined {
  const t = name === undefined ? undefined : ctx.inits.get(name);
  if (!t || t.dataType !== DT.FLOAT || ctx.protectedNames.has(t.name)) return undefined;
  const v = tensorToTypedArray(t);
  return v.length === 1 ? Number(v[0]) : undefined;
}

/** The one node reading `tensor`, when exactly one does and it is not a graph output. */
function soleConsumer(ctx: Ctx, tensor: string): NodeProto | undefined {
  const c = ctx.consumers.get(tensor);
  return c?.length === 1 && !ctx.protectedNames.has(tensor) ? c[0] : undefined;
}

/** The non-constant input of a binary op whose other input is the scalar `value`. */
function otherThanScalar(ctx: Ctx, node: NodeProto, value: number): string | undefined {
  if (node.input.length !== 2) return undefined;
  const [a, b] = node.input as [string, string];
  if (near(scalar(ctx, b), value)) return a;
  if (node.opType !== 'Div' && node.opType !== 'Sub' && near(scalar(ctx, a), value)) return b;
  return undefined;
}

/** Clip(·, 0, 6) in either the attribute (< 11) or the input form; its data input. */
function clipZeroSix(ctx: Ctx, node: NodeProto): string | undefined {
  if (node.opType !== 'Clip' || !isDefault(node)) return undefined;
  const min = node.input[1] ? scalar(ctx, node.input[1]) : getAttrFloat(node, 'min');
  const max = node.input[2] ? scalar(ctx, node.input[2]) : getAttrFloat(node, 'max');
  return near(min, 0) && near(max, 6) ? node.input[0] : undefined;
}

/** Is `node` a division by 6 (Div 6 or Mul 1/6)? Its data input. */
function divBySix(ctx: Ctx, node: NodeProto): string | undefined {
  if (!isDefault(node)) return undefined;
  if (node.opType === 'Div') return otherThanScalar(ctx, node, 6);
  if (node.opType === 'Mul') return otherThanScalar(ctx, node, 1 / 6);
  return undefined;
}

/** For a node computing hard-sigmoid-of-x·6 … : the x whose `(x+3)` feeds a Clip(0, 6), walking Add → Clip. */
function relu6OfXPlus3(ctx: Ctx, clip: NodeProto): { x: string; nodes: NodeProto[] } | undefined {
  const inner = clipZeroSix(ctx, clip);
  const add = inner === undefined ? undefined : ctx.producers.get(inner);
  if (!add || add.opType !== 'Add' || !isDefault(add) || soleConsumer(ctx, inner!) !== clip) return undefined;
  const x = otherThanScalar(ctx, add, 3);
  return x === undefined ? undefined : { x, nodes: [add, clip] };
}

/** The hard-sigmoid part, ending at `tensor`: Clip(x+3,0,6)/6 or HardSigmoid(x; 1/6, ½). */
function hardSigmoidOf(ctx: Ctx, tensor: string): { x: string; nodes: NodeProto[] } | undefined {
  const node = ctx.producers.get(tensor);
  if (!node || !isDefault(node)) return undefined;
  if (node.opType === 'HardSigmoid') {
    const ok = near(getAttrFloat(node, 'alpha', 0.2), 1 / 6) && near(getAttrFloat(node, 'beta', 0.5), 0.5);
    return ok && node.input[0] ? { x: node.input[0], nodes: [node] } : undefined;
  }
  const divided = divBySix(ctx, node);
  const clip = divided === undefined ? undefined : ctx.producers.get(divided);
  if (!clip || soleConsumer(ctx, divided!) !== node) return undefined;
  const r = relu6OfXPlus3(ctx, clip);
  return r && { x: r.x, nodes: [...r.nodes, node] };
}

/** Matches a hard-swish ending at `last`; the nodes to replace (in order) and x. */
function matchAt(ctx: Ctx, last: NodeProto): { x: string; nodes: NodeProto[] } | undefined {
  if (!isDefault(last) || last.output.length !== 1) return undefined;
  // x · hardsigmoid(x)
  if (last.opType === 'Mul' && last.input.length === 2) {
    for (const [xi, hi] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const x = last.input[xi]!;
      const hs = last.input[hi]!;
      const m = soleConsumer(ctx, hs) === last ? hardSigmoidOf(ctx, hs) : undefined;
      if (m && m.x === x) return { x, nodes: [...m.nodes, last] };
    }
  }
  // (x · Clip(x+3, 0, 6)) / 6
  const product = divBySix(ctx, last);
  const mul = product === undefined ? undefined : ctx.producers.get(product);
  if (!mul || mul.opType !== 'Mul' || !isDefault(mul) || soleConsumer(ctx, product!) !== last)
    return undefined;
  for (const [xi, ci] of [
    [0, 1],
    [1, 0],
  ] as const) {
    const x = mul.input[xi]!;
    const clip = ctx.producers.get(mul.input[ci]!);
    if (!clip || soleConsumer(ctx, mul.input[ci]!) !== mul) continue;
    const r = relu6OfXPlus3(ctx, clip);
    if (r && r.x === x) return { x, nodes: [...r.nodes, mul, last] };
  }
  return undefined;
}

function fusePatterns(graph: GraphProto, ctx: Ctx): number {
  const replaced = new Map<NodeProto, NodeProto | null>();
  for (const node of graph.node) {
    if (replaced.has(node)) continue;
    const m = matchAt(ctx, node);
    if (!m || m.nodes.some((n) => replaced.has(n))) continue;
    const fused = makeNode(
      'HardSwish',
      [m.x],
      [node.output[0]!],
      {},
      {
        name: ctx.fresh(`${node.name || node.output[0]}_hardswish`),
      },
    );
    for (const n of m.nodes) replaced.set(n, null);
    replaced.set(node, fused);
  }
  if (replaced.size === 0) return 0;
  const out: NodeProto[] = [];
  for (const n of graph.node) {
    if (!replaced.has(n)) out.push(n);
    else if (replaced.get(n)) out.push(replaced.get(n)!);
  }
  graph.node = out;
  dropUnreadInitializers(graph);
  return [...replaced.values()].filter((v) => v !== null).length;
}

/** A Conv whose weight (and bias) are float initializers no one else reads, and which reads `tensor` as X. */
function foldableConv(ctx: Ctx, node: NodeProto, tensor: string): boolean {
  if (node.opType !== 'Conv' || !isDefault(node) || node.input[0] !== tensor) return false;
  const w = ctx.inits.get(node.input[1] ?? '');
  if (!w || w.dataType !== DT.FLOAT || ctx.protectedNames.has(w.name)) return false;
  if (node.input[2]) {
    const b = ctx.inits.get(node.input[2]);
    if (!b || b.dataType !== DT.FLOAT || ctx.protectedNames.has(b.name)) return false;
  }
  return true;
}

function padsNothing(conv: NodeProto): boolean {
  const autoPad = getAttrString(conv, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return true;
  if (autoPad !== 'NOTSET') return false;
  return (getAttrInts(conv, 'pads') ?? []).every((p) => p === 0);
}

/** After each HardSwish: Mul(a) [Add(b)] read only by Convs → folded into those Convs (see the file's comment). */
function foldAffineIntoConvs(graph: GraphProto, ctx: Ctx): number {
  const removed = new Set<NodeProto>();
  const added: NodeProto[] = [];
  let folded = 0;
  for (const hs of graph.node) {
    if (hs.opType !== 'HardSwish') continue;
    const mul = soleConsumer(ctx, hs.output[0]!);
    if (!mul || mul.opType !== 'Mul' || !isDefault(mul)) continue;
    const hIn = mul.input[0] === hs.output[0] ? 1 : 0;
    const a = scalar(ctx, mul.input[hIn]);
    if (a === undefined || a === 0 || !Number.isFinite(a) || mul.input[0] === mul.input[1]) continue;
    let tail = mul;
    let b = 0;
    const add = soleConsumer(ctx, mul.output[0]!);
    if (add && add.opType === 'Add' && isDefault(add) && add.input[0] !== add.input[1]) {
      const bv = scalar(ctx, add.input[add.input[0] === mul.output[0] ? 1 : 0]);
      if (bv !== undefined && Number.isFinite(bv)) {
        tail = add;
        b = bv;
      }
    }
    const out = tail.output[0]!;
    const convs = ctx.consumers.get(out) ?? [];
    if (convs.length === 0 || ctx.protectedNames.has(out) || !convs.every((c) => foldableConv(ctx, c, out))) {
      continue;
    }
    // Each Conv owns its weights after this (copies), so shared initializers are never scaled twice.
    const keepShift = b !== 0 && !convs.every(padsNothing);
    let input = hs.output[0]!;
    if (keepShift) {
      const shift = typedArrayToTensor(
        ctx.fresh(`${tail.name || out}_shift`),
        DT.FLOAT,
        [],
        new Float32Array([b / a]),
      );
      graph.initializer.push(shift);
      ctx.inits.set(shift.name, shift);
      input = ctx.fresh(`${out}_shifted`);
      added.push(
        makeNode(
          'Add',
          [hs.output[0]!, shift.name],
          [input],
          {},
          { name: ctx.fresh(`${tail.name || out}_shift`) },
        ),
      );
    }
    for (const conv of convs) scaleConvInput(graph, ctx, conv, a, keepShift ? 0 : b, input);
    removed.add(mul);
    if (tail !== mul) removed.add(tail);
    folded++;
  }
  if (folded === 0) return 0;
  const out: NodeProto[] = [];
  for (const n of graph.node) {
    if (removed.has(n)) continue;
    out.push(n);
    // the shift Add goes right after the HardSwish it reads, keeping the node list topologically sorted
    for (const a of added) if (a.input[0] === n.output[0]) out.push(a);
  }
  graph.node = out;
  dropUnreadInitializers(graph);
  return folded;
}

/** Conv(a·x + b) as Conv'(x): W' = a·W, B' = B + b·Σ W over each output channel's inputs and kernel. */
function scaleConvInput(
  graph: GraphProto,
  ctx: Ctx,
  conv: NodeProto,
  a: number,
  b: number,
  input: string,
): void {
  const w = ctx.inits.get(conv.input[1]!)!;
  const weight = Float32Array.from(tensorToTypedArray(w) as Float32Array);
  const channels = Number(w.dims[0]);
  const per = weight.length / channels;
  const bias = conv.input[2]
    ? Float32Array.from(tensorToTypedArray(ctx.inits.get(conv.input[2])!) as Float32Array)
    : new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = c * per; i < (c + 1) * per; i++) {
      sum += weight[i]!;
      weight[i] = Math.fround(weight[i]! * a);
    }
    bias[c] = Math.fround(bias[c]! + b * sum);
  }
  const wt = typedArrayToTensor(ctx.fresh(`${w.name}_affine`), DT.FLOAT, w.dims, weight);
  const bt = typedArrayToTensor(
    ctx.fresh(`${conv.name || conv.output[0]}_bias_affine`),
    DT.FLOAT,
    [channels],
    bias,
  );
  graph.initializer.push(wt, bt);
  ctx.inits.set(wt.name, wt);
  ctx.inits.set(bt.name, bt);
  conv.input = [input, wt.name, bt.name];
}

function dropUnreadInitializers(graph: GraphProto): void {
  const read = new Set<string>(graph.output.map((o) => o.name));
  for (const n of graph.node) {
    for (const i of n.input) read.add(i);
    for (const g of subgraphsOf(n)) for (const name of outerScopeNames(g)) read.add(name);
  }
  const inputs = new Set(graph.input.map((i) => i.name));
  graph.initializer = graph.initializer.filter((t) => read.has(t.name) || inputs.has(t.name));
}
