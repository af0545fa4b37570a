/**
 * Dynamic INT8 quantization (after ONNX Runtime's quantize_dynamic, IntegerOps mode): weights are stored int8
 * (symmetric), activations are quantized to uint8 at run time by DynamicQuantizeLinear.
 *
 *   MatMul(x, W)  →  DynamicQuantizeLinear(x) → MatMulInteger(xq, Wq, x_zp, W_zp) → Cast(FLOAT)
 *                    → Mul(·, Mul(x_scale, W_scale))            (the original bias Add stays)
 *   Gemm          →  the same with alpha folded into W, transB applied to W, transA as a Transpose, then
 *                    Add(β·C) as the bias
 *   Conv          →  DynamicQuantizeLinear → ConvInteger → Cast → Mul (+ Add of the bias reshaped to [1,C,1…]:
 *                    a reshaped initializer when the bias is constant, else a Reshape node); only with
 *                    includeConv, and per tensor (ORT's ConvInteger refuses per-channel zero points)
 *
 * Weights are found in initializers and in Constant nodes (PaddlePaddle exports hold every weight in one).
 * DynamicQuantizeLinear needs opset 11: older models are raised to 11 (graph-edit-opset.ts) or refused.
 *
 * The MatMul chain is emitted exactly as ONNX Runtime's MatMulIntegerToFloatFusion matches it (one consumer per
 * intermediate, the scale product as Mul(x_scale, W_scale), a constant bias as the second input of the Add),
 * so at load it becomes MatMulIntegerToFloat, and DynamicQuantizeMatMul where the activation feeds one MatMul.
 *
 * One DynamicQuantizeLinear per activation and one quantized initializer per weight, however many nodes share
 * them. Graph output names are kept; the input model is never modified.
 */
import { clone } from '@bufbuild/protobuf';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from 'onnx-buf';
import { AttributeProtoSchema, TensorProto_DataType as DT } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import type { Int8DynamicConfig, PassReport } from '../../../../shared/schemas/optimize';
import { throwIfCancelled } from '../../jobs/job-manager';
import {
  cloneModelSharingTensorData,
  getAttrFloat,
  getAttrInt,
  makeNode,
  outerScopeNames,
  subgraphsOf,
  topologicalOrder,
  typedArrayToTensor,
} from '../../onnx';
import { quantizeWeightPerChannel, quantizeWeightPerTensor } from '../quant';
import type { Pass, PassContext, PassResult, QuantizedTensor } from '../types';
import {
  allowInitializersOutsideInputs,
  constantTensors,
  countUp,
  createNameScope,
  dimsOf,
  findQuantizedNodes,
  isDefaultDomain,
  isExcluded,
  nodeLabel,
  pruneValueInfo,
  readFloat32,
  removeUnusedConstants,
  type ConstantTensor,
  type NameScope,
} from './graph-edit';
import { upgradeDefaultOpset } from './graph-edit-opset';

/** DynamicQuantizeLinear exists from opset 11. */
const REQUIRED_OPSET = 11;

type Skipped = PassReport['skipped'][number];

/** A node the pass will rewrite, with its weight already looked up. */
type Planned = { node: NodeProto; kind: 'MatMul' | 'Gemm' | 'Conv'; weight: ConstantTensor };

export const int8DynamicPass: Pass<Int8DynamicConfig> = {
  method: 'int8-dynamic',
  run: async (model, config, ctx) => quantizeDynamic(model, config, ctx),
};

/**
 * `allowQuantized`: the model may already hold static QDQ nodes (the auto search quantizes the MatMul/Gemm nodes
 * static INT8 left float); only float nodes with constant weights are rewritten.
 */
export function quantizeDynamic(
  model: ModelProto,
  config: Int8DynamicConfig,
  ctx: PassContext,
  opts: { allowQuantized?: boolean } = {},
): PassResult {
  if (!model.graph) throw new AppError('MODEL_INVALID', 'The model has no graph: export it again.');
  if (!opts.allowQuantized) refuseQuantized(model);

  const work = cloneModelSharingTensorData(model);
  const graph = work.graph!;
  allowInitializersOutsideInputs(work);
  const warnings: string[] = [];
  const skipped: Skipped[] = [];
  // Control flow (If/Loop/Scan) holds its compute in subgraphs: each is planned with the constants of its
  // own scope and of every enclosing one (a branch may read the main graph's weights).
  const scopes = planScopes(graph, new Map(), config, skipped);
  const planned = scopes.reduce((n, s) => n + s.plan.length, 0);
  if (planned === 0) {
    const counts = new Map<string, number>();
    for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
    const reasons = [...counts].slice(0, 3).map(([r, n]) => `${n}× ${r}`);
    throw new AppError(
      'NOTHING_TO_QUANTIZE',
      'Dynamic INT8 found nothing to quantize: it rewrites MatMul with a constant weight, Gemm' +
        (config.includeConv ? ' and Conv' : ' (and Conv with includeConv)') +
        (reasons.length > 0 ? `; this model has ${reasons.join('; ')}` : ', and this model has none') +
        '. Use static INT8 for convolutional models, or remove entries from the exclude list.',
      { skipped: skipped.slice(0, 50) },
    );
  }
  const plan = scopes.flatMap((s) => s.plan);
  const inSubgraphs = scopes.filter((s) => s.graph !== graph).reduce((n, s) => n + s.plan.length, 0);
  if (inSubgraphs > 0) warnings.push(`${inSubgraphs} node(s) inside control-flow subgraphs were quantized.`);

  const upgrade = upgradeDefaultOpset(
    work,
    REQUIRED_OPSET,
    'Dynamic INT8 quantization (DynamicQuantizeLinear)',
  );
  if (upgrade) {
    const changed = Object.entries(upgrade.rewritten).map(([op, n]) => `${n} ${op}`);
    warnings.push(
      `The model's opset was raised from ${upgrade.from} to ${upgrade.to} (DynamicQuantizeLinear needs 11)` +
        (changed.length > 0 ? `; rewritten for the new opset: ${changed.join(', ')}.` : '.'),
    );
  }
  if (config.perChannel && plan.some((p) => p.kind === 'Conv')) {
    warnings.push(
      "Conv weights were quantized per tensor: ONNX Runtime's ConvInteger refuses per-channel zero points.",
    );
  }
  if (plan.some((p) => p.kind === 'Conv')) {
    warnings.push(
      'ConvInteger is often slower than float Conv in ONNX Runtime: compare latency, or use static INT8.',
    );
  }

  const names = createNameScope(graph);
  const converted: Record<string, number> = {};
  const quantizedTensors: QuantizedTensor[] = [];
  const replaced = new Set<string>();
  let done = 0;
  for (const scope of scopes) {
    if (scope.plan.length === 0) continue;
    const emitter = new Emitter(scope.graph, config, names);
    for (const p of scope.plan) {
      throwIfCancelled(ctx.signal);
      ctx.progress({ phase: 'quantizing weights', percent: Math.round((done++ / plan.length) * 100) });
      const output = emitter.rewrite(p);
      countUp(converted, p.kind);
      quantizedTensors.push({ name: output, dequantizedName: output, producer: p.kind });
    }
    emitter.finish();
    for (const n of emitter.replacedNames()) replaced.add(n);
  }
  // Weights of the main graph that only subgraphs read, now replaced there by their int8 copies.
  removeUnusedConstants(graph, replaced);
  ctx.progress({ phase: 'quantizing weights', percent: 100 });

  return {
    model: work,
    report: { method: 'int8-dynamic', converted, skipped, calibration: null, warnings },
    quantizedTensors,
  };
}

function refuseQuantized(model: ModelProto): void {
  const found = findQuantizedNodes(model);
  if (found.length === 0) return;
  const ops = [...new Set(found.map((n) => n.opType))];
  throw new AppError(
    'ALREADY_QUANTIZED',
    `The model is already quantized (it has ${found.length} ${ops.slice(0, 4).join('/')} node(s)): quantize the ` +
      'float model it came from instead.',
    { ops },
  );
}

type Scope = { graph: GraphProto; plan: Planned[] };

/** The plan of `graph` and of every subgraph in it, outer scopes first. */
function planScopes(
  graph: GraphProto,
  outer: ReadonlyMap<string, ConstantTensor>,
  config: Int8DynamicConfig,
  skipped: Skipped[],
): Scope[] {
  // Names defined in this scope shadow the enclosing ones.
  const constants = new Map(outer);
  const local = new Set<string>([...graph.input.map((v) => v.name), ...graph.node.flatMap((n) => n.output)]);
  for (const name of local) constants.delete(name);
  for (const [name, c] of constantTensors(graph)) constants.set(name, c);
  const scopes: Scope[] = [{ graph, plan: planNodes(graph, constants, config, skipped) }];
  for (const node of graph.node) {
    for (const sub of subgraphsOf(node)) scopes.push(...planScopes(sub, constants, config, skipped));
  }
  return scopes;
}

/** The nodes to rewrite; every other MatMul/Gemm/Conv goes to `skipped` with the reason. */
function planNodes(
  graph: GraphProto,
  constants: ReadonlyMap<string, ConstantTensor>,
  config: Int8DynamicConfig,
  skipped: Skipped[],
): Planned[] {
  const plan: Planned[] = [];
  for (const node of graph.node) {
    if (!isDefaultDomain(node.domain)) continue;
    const kind = node.opType;
    if (kind !== 'MatMul' && kind !== 'Gemm' && kind !== 'Conv') continue;
    const skip = (reason: string) => skipped.push({ node: nodeLabel(node), opType: kind, reason });
    if (isExcluded(node, config.exclude)) {
      skip('excluded');
      continue;
    }
    if (kind === 'Conv' && !config.includeConv) {
      skip('Conv is left in float unless includeConv is on (ConvInteger is slow in ONNX Runtime)');
      continue;
    }
    const weight = constants.get(node.input[1] ?? '');
    if (!weight) {
      skip('weight is not a constant');
      continue;
    }
    if (constants.has(node.input[0] ?? '')) {
      skip('both inputs are constants');
      continue;
    }
    if (weight.tensor.dataType !== DT.FLOAT) {
      skip('weight is not float32');
      continue;
    }
    const rank = weight.tensor.dims.length;
    if (kind !== 'Conv' && rank !== 2) {
      skip(`weight has rank ${rank}, not 2`);
      continue;
    }
    if (kind === 'Conv' && rank < 3) {
      skip(`weight has rank ${rank}`);
      continue;
    }
    plan.push({ node, kind, weight });
  }
  return plan;
}

type QuantizedActivation = { q: string; scale: string; zeroPoint: string };
type QuantizedWeightNames = { q: string; scale: string; zeroPoint: string };

/** Writes the integer chains into the graph, sharing activation and weight quantization. */
class Emitter {
  private readonly names: NameScope;
  private readonly activations = new Map<string, QuantizedActivation>();
  private readonly weights = new Map<string, QuantizedWeightNames>();
  private readonly transposed = new Map<string, string>();
  private readonly removed = new Set<NodeProto>();
  private readonly replacedConstants = new Set<string>();
  private readonly added: NodeProto[] = [];

  constructor(
    private readonly graph: GraphProto,
    private readonly config: Int8DynamicConfig,
    names: NameScope,
  ) {
    this.names = names;
  }

  /** Float weights this emitter replaced (some may live in an enclosing scope). */
  replacedNames(): Iterable<string> {
    return this.replacedConstants;
  }

  /** Rewrites one planned node; returns the name of its (float) output, which keeps the original name. */
  rewrite(p: Planned): string {
    const { node } = p;
    this.removed.add(node);
    const output = node.output[0]!;
    const base = node.name || output;
    if (p.kind === 'MatMul') {
      const w = this.weight(p.weight, node.input[1]!, 'matmul', (data) => data, this.config.perChannel);
      this.matMulChain(base, node.input[0]!, w, output);
      this.placeBiasSecond(output);
    } else if (p.kind === 'Gemm') {
      this.gemm(p, base, output);
    } else {
      this.conv(p, base, output);
    }
    return output;
  }

  /** Removes the replaced nodes and constants nothing reads any more, and re-sorts the graph. */
  finish(): void {
    const g = this.graph;
    g.node = [...g.node.filter((n) => !this.removed.has(n)), ...this.added];
    removeUnusedConstants(g, this.replacedConstants);
    pruneValueInfo(g);
    // A subgraph reads its enclosing scopes' names: they count as available.
    g.node = topologicalOrder(g, outerScopeNames(g));
  }

  private add(node: NodeProto): void {
    this.added.push(node);
  }

  private initializer(t: TensorProto): void {
    this.graph.initializer.push(t);
  }

  /** One DynamicQuantizeLinear per activation tensor. */
  private activation(x: string): QuantizedActivation {
    const known = this.activations.get(x);
    if (known) return known;
    const q = {
      q: this.names.unique(`${x}_quantized`),
      scale: this.names.unique(`${x}_scale`),
      zeroPoint: this.names.unique(`${x}_zero_point`),
    };
    this.add(
      makeNode(
        'DynamicQuantizeLinear',
        [x],
        [q.q, q.scale, q.zeroPoint],
        {},
        {
          name: this.names.unique(`${x}_QuantizeLinear`),
        },
      ),
    );
    this.activations.set(x, q);
    return q;
  }

  /**
   * One quantized initializer per weight and layout. `transform` turns the stored float weight into the [K, N]
   * (or Conv) layout MatMulInteger/ConvInteger reads; `variant` names that transform in the cache key.
   */
  private weight(
    w: ConstantTensor,
    name: string,
    variant: string,
    transform: (data: Float32Array, dims: number[]) => { data: Float32Array; dims: number[] } | Float32Array,
    perChannel: boolean,
  ): QuantizedWeightNames {
    const key = `${name}\u0000${variant}\u0000${perChannel ? 'c' : 't'}`;
    const known = this.weights.get(key);
    if (known) return known;
    const raw = readFloat32(w.tensor);
    const rawDims = dimsOf(w.tensor);
    const t = transform(raw, rawDims);
    const { data, dims } = t instanceof Float32Array ? { data: t, dims: rawDims } : t;
    const base = variant === 'matmul' || variant === 'conv' ? name : `${name}_${variant}`;
    const names = {
      q: this.names.unique(`${base}_quantized`),
      scale: this.names.unique(`${base}_scale`),
      zeroPoint: this.names.unique(`${base}_zero_point`),
    };
    if (perChannel) {
      // Per output column of the [K, N] matrix: MatMulInteger takes a zero point per column of B.
      const q = quantizeWeightPerChannel(data, dims, 1, 'int8', true);
      this.initializer(typedArrayToTensor(names.q, DT.INT8, dims, q.data));
      this.initializer(typedArrayToTensor(names.scale, DT.FLOAT, [q.scales.length], q.scales));
      this.initializer(typedArrayToTensor(names.zeroPoint, DT.INT8, [q.zeroPoints.length], q.zeroPoints));
    } else {
      const q = quantizeWeightPerTensor(data, 'int8', true);
      this.initializer(typedArrayToTensor(names.q, DT.INT8, dims, q.data));
      this.initializer(typedArrayToTensor(names.scale, DT.FLOAT, [], Float32Array.of(q.scale)));
      this.initializer(typedArrayToTensor(names.zeroPoint, DT.INT8, [], Int8Array.of(q.zeroPoint)));
    }
    this.replacedConstants.add(name);
    this.weights.set(key, names);
    return names;
  }

  /** MatMulInteger → Cast → Mul(·, Mul(x_scale, W_scale)) writing `output`. */
  private matMulChain(base: string, x: string, w: QuantizedWeightNames, output: string): void {
    this.integerChain('MatMulInteger', base, x, w, output, []);
  }

  /** The integer op (with `attributes`, e.g. the Conv's), its Cast to float, and the scale Muls. */
  private integerChain(
    op: 'MatMulInteger' | 'ConvInteger',
    base: string,
    x: string,
    w: QuantizedWeightNames,
    output: string,
    attributes: AttributeProto[],
  ): void {
    const a = this.activation(x);
    const intOut = this.names.unique(`${output}_output_quantized`);
    const castOut = this.names.unique(`${intOut}_cast_output`);
    const scales = this.names.unique(`${base}_scales_mul_output`);
    const integerNode = makeNode(
      op,
      [a.q, w.q, a.zeroPoint, w.zeroPoint],
      [intOut],
      {},
      {
        name: this.names.unique(`${base}_quant`),
      },
    );
    integerNode.attribute = attributes;
    this.add(integerNode);
    this.add(
      makeNode('Cast', [intOut], [castOut], { to: DT.FLOAT }, { name: this.names.unique(`${intOut}_cast`) }),
    );
    // Mul(x_scale, W_scale) in this order: the fused kernel takes input 0 as A's scale and input 1 as B's.
    this.add(
      makeNode('Mul', [a.scale, w.scale], [scales], {}, { name: this.names.unique(`${base}_scales_mul`) }),
    );
    this.add(
      makeNode(
        'Mul',
        [castOut, scales],
        [output],
        {},
        { name: this.names.unique(`${base}_output_scale_mul`) },
      ),
    );
  }

  /**
   * ONNX Runtime fuses a bias Add only when the constant bias is the Add's second input: swap a lone
   * Add(bias, y) consumer (Add is commutative, broadcasting included).
   */
  private placeBiasSecond(output: string): void {
    const consumers = this.graph.node.filter((n) => !this.removed.has(n) && n.input.includes(output));
    const add = consumers[0];
    if (consumers.length !== 1 || !add || add.opType !== 'Add' || !isDefaultDomain(add.domain)) return;
    if (add.input[1] === output && add.input[0] !== output) add.input = [add.input[1], add.input[0] ?? ''];
  }

  private gemm(p: Planned, base: string, output: string): void {
    const { node } = p;
    const alpha = getAttrFloat(node, 'alpha', 1);
    const beta = getAttrFloat(node, 'beta', 1);
    const transA = getAttrInt(node, 'transA', 0) !== 0;
    const transB = getAttrInt(node, 'transB', 0) !== 0;
    const variant = `gemm${transB ? '_t' : ''}${alpha !== 1 ? `_a${alpha}` : ''}`;
    const w = this.weight(
      p.weight,
      node.input[1]!,
      variant === 'gemm' ? 'matmul' : variant,
      (data, dims) => {
        const [rows, cols] = [dims[0]!, dims[1]!];
        const out = transB ? transpose2d(data, rows, cols) : Float32Array.from(data);
        if (alpha !== 1) for (let i = 0; i < out.length; i++) out[i] = Math.fround(out[i]! * alpha);
        return { data: out, dims: transB ? [cols, rows] : [rows, cols] };
      },
      this.config.perChannel,
    );
    const a = transA ? this.transposedInput(node.input[0]!) : node.input[0]!;
    const c = node.input[2] ?? '';
    if (c === '') {
      this.matMulChain(base, a, w, output);
      return;
    }
    const product = this.names.unique(`${output}_matmul`);
    this.matMulChain(base, a, w, product);
    const bias = beta === 1 ? c : this.scaledBias(c, beta);
    this.add(makeNode('Add', [product, bias], [output], {}, { name: this.names.unique(`${base}_bias_add`) }));
  }

  private transposedInput(a: string): string {
    const known = this.transposed.get(a);
    if (known) return known;
    const t = this.names.unique(`${a}_transposed`);
    this.add(
      makeNode('Transpose', [a], [t], { perm: [1, 0] }, { name: this.names.unique(`${a}_transpose`) }),
    );
    this.transposed.set(a, t);
    return t;
  }

  /** β·C: folded into a new initializer when C is constant, else a Mul node. */
  private scaledBias(c: string, beta: number): string {
    const constant = constantTensors(this.graph).get(c);
    const name = this.names.unique(`${c}_beta`);
    if (constant && constant.tensor.dataType === DT.FLOAT) {
      const data = readFloat32(constant.tensor).map((v) => Math.fround(v * beta));
      this.initializer(typedArrayToTensor(name, DT.FLOAT, dimsOf(constant.tensor), data));
      this.replacedConstants.add(c);
      return name;
    }
    const betaName = this.names.unique(`${c}_beta_value`);
    this.initializer(typedArrayToTensor(betaName, DT.FLOAT, [], Float32Array.of(beta)));
    this.add(makeNode('Mul', [c, betaName], [name], {}, { name: this.names.unique(`${c}_beta_mul`) }));
    return name;
  }

  private conv(p: Planned, base: string, output: string): void {
    const { node } = p;
    // ConvInteger refuses per-channel weight zero points at run time: always per tensor.
    const w = this.weight(p.weight, node.input[1]!, 'conv', (data) => data, false);
    // ConvInteger has Conv's attributes, all of them.
    const attributes = node.attribute
      .filter((a) => ['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides'].includes(a.name))
      .map((a) => clone(AttributeProtoSchema, a));
    const bias = node.input[2] ?? '';
    const scaled = bias === '' ? output : this.names.unique(`${output}_without_bias`);
    this.integerChain('ConvInteger', base, node.input[0]!, w, scaled, attributes);
    if (bias === '') return;
    const rank = p.weight.tensor.dims.length;
    const reshaped = this.reshapedBias(bias, rank);
    this.add(
      makeNode('Add', [scaled, reshaped], [output], {}, { name: this.names.unique(`${base}_bias_add`) }),
    );
  }

  /** The bias as [1, C, 1, …] so it broadcasts over NC…: a new initializer if constant, else a Reshape node. */
  private reshapedBias(bias: string, rank: number): string {
    const constant = constantTensors(this.graph).get(bias);
    const name = this.names.unique(`${bias}_reshaped`);
    const shape = [1, -1, ...Array<number>(rank - 2).fill(1)];
    if (constant && constant.tensor.dataType === DT.FLOAT) {
      const data = readFloat32(constant.tensor);
      this.initializer(typedArrayToTensor(name, DT.FLOAT, [1, data.length, ...shape.slice(2)], data));
      this.replacedConstants.add(bias);
      return name;
    }
    const shapeName = this.names.unique(`${bias}_reshape_shape`);
    this.initializer(
      typedArrayToTensor(
        shapeName,
        DT.INT64,
        [rank],
        BigInt64Array.from(shape, (v) => BigInt(v)),
      ),
    );
    this.add(
      makeNode('Reshape', [bias, shapeName], [name], {}, { name: this.names.unique(`${bias}_reshape`) }),
    );
    return name;
  }
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}
