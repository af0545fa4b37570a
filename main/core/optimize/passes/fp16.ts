/**
 * FP16 conversion: float32 weights and activations become float16, node by node.
 *
 * Every node of the main graph is either converted (its float inputs are read as float16, its float outputs
 * become float16) or kept in float32 (block list, exclude list, ops with no float16 in the ONNX schema, nodes
 * with subgraphs, custom domains, tensors of unknown type). Each tensor then exists in the precision its
 * producer gives it, plus at most one Cast to the other precision, made once and shared by every consumer that
 * needs it. So Casts appear only at real boundaries, no Cast pair is ever inserted, and nothing depends on
 * value_info being complete (types come from EdgeFleet's own inference).
 *
 * Differences from onnxconverter-common's convert_float_to_float16, on purpose:
 * - existing Cast(to=FLOAT) nodes become Cast(to=FLOAT16) (its open bug: a "Type Error" at load);
 * - Resize keeps roi/scales float32 even when Resize itself is converted (ONNX Runtime's ALWAYS_FLOAT_INPUTS);
 * - values are clamped into float16's range with ONNX Runtime's bounds: 0 < |x| < 2^-24 (5.96e-08, the smallest
 *   float16) → ±2^-24 rather than onnxconverter's 1e-7, so every value that float16 can represent keeps its
 *   nearest float16; |x| > 65504 → ±65504 rather than ±inf. 0, NaN and ±inf are kept. Clamps are reported;
 * - a constant used by both float16 and float32 nodes is stored twice (float32 for the blocked node, so it
 *   keeps its precision), and one used only by float32 nodes stays float32;
 * - a node reading a constant beyond ±65504 (PaddleOCR's detector has BatchNormalization variances of ~1e5)
 *   stays float32 instead of computing with a clamped value (which made that model's output useless).
 * Activations that overflow float16 at run time cannot be seen here: exclude their producers if outputs go bad.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrType,
  TensorProto_DataType as DT,
  type GraphProto,
  type ModelProto,
  type NodeProto,
} from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import type { Fp16Config, PassReport } from '../../../../shared/schemas/optimize';
import { throwIfCancelled } from '../../jobs/job-manager';
import {
  cloneModelSharingTensorData,
  getAttr,
  inferShapes,
  makeAttribute,
  makeNode,
  outerScopeNames,
  subgraphsOf,
  topologicalOrder,
  typedArrayToTensor,
} from '../../onnx';
import { storeSubgraphWeightsAsFloat16 } from './fp16-subgraphs';
import type { Pass, PassContext, PassResult } from '../types';
import { FLOAT16_MAX, float32ToFloat16Bits } from './fp16-bits';
import {
  ALWAYS_FLOAT32_OPS,
  ANY_TYPE_INPUTS,
  DEFAULT_FP16_BLOCK_LIST,
  FLOAT32_INPUTS,
  FLOAT32_OUTPUTS,
  FLOAT_SOURCE_OPS,
} from './fp16-ops';
import { ClampTally, convertTensorInPlace, float16Copy } from './fp16-tensors';
import {
  allowInitializersOutsideInputs,
  constantTensors,
  countUp,
  createNameScope,
  isDefaultDomain,
  isExcluded,
  nodeLabel,
  readFloat32,
  readNames,
  sortGraph,
  setValueInfoElemType,
  type ConstantTensor,
  type NameScope,
} from './graph-edit';

export const fp16Pass: Pass<Fp16Config> = {
  method: 'fp16',
  run: async (model, config, ctx) => convertFp16(model, config, ctx),
};

type Precision = 'fp16' | 'fp32';
type Skipped = PassReport['skipped'][number];
/** Names under which a tensor exists in each precision. */
type Versions = { fp16?: string; fp32?: string };

function convertFp16(model: ModelProto, config: Fp16Config, ctx: PassContext): PassResult {
  if (!model.graph) throw new AppError('MODEL_INVALID', 'The model has no graph: export it again.');
  const work = cloneModelSharingTensorData(model);
  const graph = work.graph!;
  ctx.progress({ phase: 'converting to float16', percent: 0 });
  allowInitializersOutsideInputs(work);

  const types = new Map<string, number>();
  for (const [name, v] of inferShapes(work)) types.set(name, v.elemType);
  const plan = decide(graph, config, types);
  const subgraphTally = new ClampTally();
  const subgraphWeights = storeSubgraphWeightsAsFloat16(graph, subgraphTally, { dryRun: true });
  if (subgraphWeights > 0) {
    plan.warnings.push(
      `${subgraphWeights} weight(s) read inside control-flow subgraphs are stored as float16 and cast to float32 ` +
        'where they are defined: the subgraphs compute in float32.',
    );
  }
  if (
    plan.converted.size === 0 &&
    ![...plan.constants.values()].some((c) => c.fp16Demand) &&
    subgraphWeights === 0
  ) {
    throw new AppError(
      'NOTHING_TO_CONVERT',
      'FP16 found nothing to convert: the model has no float32 computation outside the block and exclude lists' +
        (plan.skipped.length > 0 ? ` (kept: ${summarizeReasons(plan.skipped)})` : '') +
        '. Remove entries from the exclude list or the block list.',
      { skipped: plan.skipped.slice(0, 50) },
    );
  }
  throwIfCancelled(ctx.signal);

  const rewriter = new Rewriter(graph, config, types, plan);
  const converted = rewriter.run(ctx);
  throwIfCancelled(ctx.signal);
  rewriter.simplifyCasts();
  if (subgraphWeights > 0) storeSubgraphWeightsAsFloat16(graph, subgraphTally);
  sortGraph(graph);
  ctx.progress({ phase: 'converting to float16', percent: 100 });

  const warnings = [...plan.warnings, ...rewriter.tally.warnings(), ...subgraphTally.warnings()];
  return {
    model: work,
    report: { method: 'fp16', converted, skipped: plan.skipped, calibration: null, warnings },
    quantizedTensors: [],
  };
}

function summarizeReasons(skipped: Skipped[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts]
    .slice(0, 3)
    .map(([r, n]) => `${n}× ${r}`)
    .join('; ');
}

type ConstantUse = { source: ConstantTensor; fp16Demand: boolean; fp32Demand: boolean };

type Plan = {
  /** Nodes converted to float16. */
  converted: Set<NodeProto>;
  /** Float32 constants and who needs them in which precision. */
  constants: Map<string, ConstantUse>;
  /** Graph inputs that stay float32 whatever keepIoTypes says (read inside a subgraph). */
  pinnedInputs: Set<string>;
  skipped: Skipped[];
  warnings: string[];
};

/** Which precision an input of a node needs, or null when any will do / it is not float. */
function inputNeed(
  node: NodeProto,
  i: number,
  converted: boolean,
  types: ReadonlyMap<string, number>,
): Precision | null {
  if (types.get(node.input[i] ?? '') !== DT.FLOAT) return null;
  if (!converted) return 'fp32';
  if (ANY_TYPE_INPUTS[node.opType]?.includes(i)) return null;
  if (FLOAT32_INPUTS[node.opType]?.includes(i)) return 'fp32';
  return 'fp16';
}

function decide(graph: GraphProto, config: Fp16Config, types: Map<string, number>): Plan {
  const blockList = new Set(config.blockList ?? DEFAULT_FP16_BLOCK_LIST);
  const constants = new Map<string, ConstantUse>();
  for (const [name, source] of constantTensors(graph)) {
    if (source.tensor.dataType === DT.FLOAT)
      constants.set(name, { source, fp16Demand: false, fp32Demand: false });
  }
  // Constant nodes with value_float(s) are float32 constants too.
  for (const node of graph.node) {
    if (node.opType !== 'Constant' || !isDefaultDomain(node.domain) || constants.has(node.output[0] ?? ''))
      continue;
    const a = node.attribute[0];
    if (a && (a.name === 'value_float' || a.name === 'value_floats')) {
      const values = a.name === 'value_float' ? [a.f] : a.floats;
      const tensor = typedArrayToTensor(
        node.output[0] ?? '',
        DT.FLOAT,
        a.name === 'value_float' ? [] : [values.length],
        Float32Array.from(values),
      );
      constants.set(node.output[0] ?? '', {
        source: { kind: 'constant-node', tensor, node },
        fp16Demand: false,
        fp32Demand: false,
      });
    }
  }

  // Tensors a subgraph reads from this scope keep their float32 name and type: the subgraph refers to them.
  const pinned = new Set<string>();
  let hasSubgraphs = false;
  for (const node of graph.node) {
    for (const sub of subgraphsOf(node)) {
      hasSubgraphs = true;
      for (const n of outerScopeNames(sub)) pinned.add(n);
    }
  }

  // A constant beyond ±65504 (e.g. a BatchNormalization variance) would be clamped and give wrong results:
  // the nodes reading it stay float32 instead.
  const outOfRange = new Set<string>();
  for (const [name, use] of constants)
    if (exceedsFloat16(readFloat32(use.source.tensor))) outOfRange.add(name);

  const converted = new Set<NodeProto>();
  const skipped: Skipped[] = [];
  const isFloat = (name: string) => types.get(name) === DT.FLOAT;
  for (const node of graph.node) {
    if (node.opType === 'Constant' && isDefaultDomain(node.domain)) continue;
    const names = [...node.input, ...node.output].filter((n) => n !== '');
    const touchesFloat = names.some(isFloat);
    const floatSource = FLOAT_SOURCE_OPS.has(node.opType) && node.output.some(isFloat);
    if (!touchesFloat) continue;
    const tooLarge = node.input.find((n) => outOfRange.has(n));
    const reason = tooLarge
      ? `constant '${tooLarge}' exceeds float16's range`
      : keepReason(node, config, blockList, types, pinned, floatSource);
    if (reason) skipped.push({ node: nodeLabel(node), opType: node.opType, reason });
    else converted.add(node);
  }

  for (const node of graph.node) {
    const isConverted = converted.has(node);
    node.input.forEach((name, i) => {
      const use = constants.get(name);
      if (!use) return;
      const need = inputNeed(node, i, isConverted, types);
      if (need === 'fp16') use.fp16Demand = true;
      if (need === 'fp32') use.fp32Demand = true;
    });
    for (const sub of subgraphsOf(node)) {
      for (const name of outerScopeNames(sub)) {
        const use = constants.get(name);
        if (use) use.fp32Demand = true;
      }
    }
  }
  for (const out of graph.output) {
    const use = constants.get(out.name);
    if (use) use.fp32Demand = true;
  }

  const warnings: string[] = [];
  if (hasSubgraphs) {
    warnings.push('Nodes with subgraphs (If/Loop/Scan) were kept in float32 with their bodies.');
  }
  const pinnedInputs = new Set(graph.input.map((v) => v.name).filter((n) => pinned.has(n)));
  return { converted, constants, pinnedInputs, skipped, warnings };
}

function exceedsFloat16(values: Float32Array): boolean {
  for (const v of values) if (Math.abs(v) > FLOAT16_MAX && Number.isFinite(v)) return true;
  return false;
}

/** Why a float-touching node stays float32, or null to convert it. */
function keepReason(
  node: NodeProto,
  config: Fp16Config,
  blockList: Set<string>,
  types: Map<string, number>,
  pinned: Set<string>,
  floatSource: boolean,
): string | null {
  if (isExcluded(node, config.exclude)) return 'excluded';
  if (!isDefaultDomain(node.domain)) return `custom domain '${node.domain}'`;
  if (subgraphsOf(node).length > 0) return 'has subgraphs';
  if (ALWAYS_FLOAT32_OPS.has(node.opType) || node.opType.startsWith('QLinear')) {
    return 'ONNX has no float16 version of it';
  }
  if (blockList.has(node.opType)) return 'block list';
  const names = [...node.input, ...node.output].filter((n) => n !== '');
  if (names.some((n) => !types.get(n))) return 'tensor types unknown';
  if (node.output.some((n) => pinned.has(n))) return 'output read inside a subgraph';
  const hasFloatInput = node.input.some((n) => n !== '' && types.get(n) === DT.FLOAT);
  if (!hasFloatInput && !floatSource && node.output.some((n) => types.get(n) === DT.FLOAT)) {
    return 'float output from non-float inputs';
  }
  return null;
}

/** Applies a Plan: converts tensors, rewrites attributes, inserts the boundary Casts. */
class Rewriter {
  readonly tally = new ClampTally();
  private readonly names: NameScope;
  private readonly versions = new Map<string, Versions>();
  private readonly added: NodeProto[] = [];
  private readonly graphOutputs: Set<string>;
  /** Element types as they are now (`types` keeps the original ones, which decide what each input needs). */
  private readonly current: Map<string, number>;

  constructor(
    private readonly graph: GraphProto,
    private readonly config: Fp16Config,
    private readonly types: ReadonlyMap<string, number>,
    private readonly plan: Plan,
  ) {
    this.names = createNameScope(graph);
    this.graphOutputs = new Set(graph.output.map((v) => v.name));
    this.current = new Map(types);
  }

  run(ctx: PassContext): Record<string, number> {
    this.convertInputs();
    this.convertConstants();
    const converted: Record<string, number> = {};
    const order = topologicalOrder(this.graph);
    order.forEach((node, i) => {
      if (i % 256 === 0) {
        throwIfCancelled(ctx.signal);
        ctx.progress({ phase: 'converting to float16', percent: Math.round((i / order.length) * 100) });
      }
      if (node.opType === 'Constant' && isDefaultDomain(node.domain)) return;
      if (this.plan.converted.has(node)) {
        this.convertNode(node);
        countUp(converted, node.opType);
      } else {
        this.keepNode(node);
      }
    });
    this.finishOutputs();
    this.graph.node.push(...this.added);
    return converted;
  }

  /** Graph inputs: float32 with keepIoTypes (consumers get a Cast), else declared float16. */
  private convertInputs(): void {
    for (const vi of this.graph.input) {
      if (this.types.get(vi.name) !== DT.FLOAT || this.plan.constants.has(vi.name)) continue;
      if (this.config.keepIoTypes || this.plan.pinnedInputs.has(vi.name)) {
        this.versions.set(vi.name, { fp32: vi.name });
      } else {
        setValueInfoElemType(vi, DT.FLOAT16);
        this.versions.set(vi.name, { fp16: vi.name });
        this.current.set(vi.name, DT.FLOAT16);
      }
    }
  }

  private convertConstants(): void {
    for (const [name, use] of this.plan.constants) {
      const { source } = use;
      if (!use.fp16Demand) {
        this.versions.set(name, { fp32: name });
        continue;
      }
      if (!use.fp32Demand) {
        this.convertConstantInPlace(source);
        this.versions.set(name, { fp16: name });
        continue;
      }
      const copyName = this.names.unique(`${name}_fp16`);
      const copy = float16Copy(source.tensor, copyName, this.tally);
      if (source.kind === 'initializer') this.graph.initializer.push(copy);
      else
        this.added.push(
          makeNode(
            'Constant',
            [],
            [copyName],
            { value: copy },
            { name: this.names.unique(`${copyName}_constant`) },
          ),
        );
      this.versions.set(name, { fp32: name, fp16: copyName });
    }
  }

  private convertConstantInPlace(source: ConstantTensor): void {
    if (source.kind === 'initializer') {
      convertTensorInPlace(source.tensor, this.tally);
      // Listed as a graph input too (IR < 4): it is a constant from now on, not a float32 input.
      this.graph.input = this.graph.input.filter((vi) => vi.name !== source.tensor.name);
      return;
    }
    const node = source.node;
    const value = getAttr(node, 'value');
    if (value?.t) {
      convertTensorInPlace(value.t, this.tally);
    } else {
      // value_float(s) cannot hold float16: store it as a `value` tensor.
      const tensor = source.tensor;
      convertTensorInPlace(tensor, this.tally);
      node.attribute = [makeAttribute('value', tensor)];
    }
  }

  /** The name under which `name` exists in `want` precision, adding the Cast once if needed. */
  private need(name: string, want: Precision): string {
    let v = this.versions.get(name);
    if (!v) {
      // A float32 tensor from no node, input or dense constant (a sparse initializer, say): float32 as it is.
      v = { fp32: name };
      this.versions.set(name, v);
    }
    const have = v[want];
    if (have) return have;
    const from = want === 'fp16' ? v.fp32 : v.fp16;
    if (!from) return name;
    const cast = this.names.unique(`${name}_${want}`);
    this.added.push(
      makeNode(
        'Cast',
        [from],
        [cast],
        { to: want === 'fp16' ? DT.FLOAT16 : DT.FLOAT },
        {
          name: this.names.unique(`${cast}_cast`),
        },
      ),
    );
    v[want] = cast;
    this.current.set(cast, want === 'fp16' ? DT.FLOAT16 : DT.FLOAT);
    return cast;
  }

  private keepNode(node: NodeProto): void {
    node.input = node.input.map((name, i) => {
      const need = inputNeed(node, i, false, this.types);
      return need ? this.need(name, need) : name;
    });
    for (const out of node.output)
      if (out && this.types.get(out) === DT.FLOAT) this.versions.set(out, { fp32: out });
  }

  private convertNode(node: NodeProto): void {
    node.input = node.input.map((name, i) => {
      if (name === '') return name;
      const need = inputNeed(node, i, true, this.types);
      if (need) return this.need(name, need);
      // Any-type inputs read what exists (float16 preferred: that is what converted producers hold).
      const v = this.versions.get(name);
      return v ? (v.fp16 ?? v.fp32 ?? name) : name;
    });
    this.rewriteAttributes(node);
    node.output = node.output.map((out, j) => {
      if (out === '' || this.types.get(out) !== DT.FLOAT || FLOAT32_OUTPUTS[node.opType]?.includes(j)) {
        if (out && this.types.get(out) === DT.FLOAT) this.versions.set(out, { fp32: out });
        return out;
      }
      if (this.graphOutputs.has(out) && this.config.keepIoTypes) {
        // The graph output keeps its name and float32 type through a final Cast.
        const internal = this.names.unique(`${out}_fp16`);
        this.versions.set(out, { fp16: internal });
        this.current.set(internal, DT.FLOAT16);
        return internal;
      }
      this.versions.set(out, { fp16: out });
      this.current.set(out, DT.FLOAT16);
      return out;
    });
  }

  private rewriteAttributes(node: NodeProto): void {
    switch (node.opType) {
      case 'Cast': {
        const to = getAttr(node, 'to');
        if (to && Number(to.i) === DT.FLOAT) to.i = BigInt(DT.FLOAT16);
        break;
      }
      case 'ConstantOfShape': {
        const value = getAttr(node, 'value');
        if (value?.t) {
          if (value.t.dataType === DT.FLOAT) convertTensorInPlace(value.t, this.tally);
        } else {
          // The default value is a float32 zero.
          node.attribute.push(
            makeAttribute(
              'value',
              typedArrayToTensor('value', DT.FLOAT16, [1], Uint16Array.of(float32ToFloat16Bits(0))),
            ),
          );
        }
        break;
      }
      case 'RandomNormal':
      case 'RandomUniform':
      case 'RandomNormalLike':
      case 'RandomUniformLike':
      case 'EyeLike':
      case 'Bernoulli': {
        const dtype = getAttr(node, 'dtype');
        if (dtype && Number(dtype.i) === DT.FLOAT) dtype.i = BigInt(DT.FLOAT16);
        else if (!dtype && (node.opType === 'RandomNormal' || node.opType === 'RandomUniform')) {
          node.attribute.push(
            create(AttributeProtoSchema, { name: 'dtype', type: AttrType.INT, i: BigInt(DT.FLOAT16) }),
          );
        }
        break;
      }
    }
  }

  /** Graph outputs: a Cast back to float32 under the output's own name, or a float16 declaration. */
  private finishOutputs(): void {
    for (const vi of this.graph.output) {
      const v = this.versions.get(vi.name);
      if (!v || v.fp32 === vi.name) continue;
      if (this.config.keepIoTypes && v.fp16) {
        this.added.push(
          makeNode(
            'Cast',
            [v.fp16],
            [vi.name],
            { to: DT.FLOAT },
            { name: this.names.unique(`${vi.name}_output_cast`) },
          ),
        );
      } else if (v.fp16 === vi.name) {
        setValueInfoElemType(vi, DT.FLOAT16);
      }
    }
    for (const vi of this.graph.valueInfo) {
      if (this.versions.get(vi.name)?.fp16 === vi.name) setValueInfoElemType(vi, DT.FLOAT16);
    }
  }

  /**
   * Removes Casts that no longer change anything: same type in and out (an original Cast(to=FLOAT) on what is
   * now float16), and float16 → float32 → float16 round trips (exact). Graph outputs keep their producers.
   */
  simplifyCasts(): void {
    const g = this.graph;
    const producer = new Map<string, NodeProto>();
    for (const n of g.node) for (const o of n.output) if (o) producer.set(o, n);
    const castTo = (n: NodeProto) => Number(getAttr(n, 'to')?.i ?? 0);
    const replace = new Map<string, string>();
    const resolve = (name: string): string => {
      let r = name;
      for (let next = replace.get(r); next !== undefined; next = replace.get(r)) r = next;
      return r;
    };
    const dropped = new Set<NodeProto>();
    const roundTripFirst = new Set<NodeProto>();
    for (const n of g.node) {
      if (n.opType !== 'Cast' || !isDefaultDomain(n.domain)) continue;
      const out = n.output[0] ?? '';
      if (!out || this.graphOutputs.has(out)) continue;
      const input = resolve(n.input[0] ?? '');
      const to = castTo(n);
      const inType = this.current.get(input);
      if (inType === to) {
        replace.set(out, input);
        dropped.add(n);
        continue;
      }
      const prev = producer.get(input);
      if (to === DT.FLOAT16 && prev?.opType === 'Cast' && castTo(prev) === DT.FLOAT) {
        const origin = resolve(prev.input[0] ?? '');
        if (this.current.get(origin) === DT.FLOAT16) {
          replace.set(out, origin);
          dropped.add(n);
          roundTripFirst.add(prev);
        }
      }
    }
    if (dropped.size === 0) return;
    g.node = g.node.filter((n) => !dropped.has(n));
    for (const n of g.node) n.input = n.input.map((name) => (replace.has(name) ? resolve(name) : name));
    // The first half of a round trip goes too once nothing reads it.
    const read = readNames(g);
    g.node = g.node.filter((n) => !(roundTripFirst.has(n) && n.output.every((o) => !read.has(o))));
  }
}
