/**
 * Raising a model's default-domain opset to 11 (what DynamicQuantizeLinear needs), with the few ops whose
 * signature changed on the way rewritten, and a clear refusal for those whose meaning changed.
 *
 * ONNX Runtime's own quantizer simply bumps the opset number of models below 10, which breaks every Slice,
 * Clip and Pad of an opset-9 model (PaddleOCR's exports are opset 9). Between opset 7 and 11 the changes that
 * matter for inference are:
 * - Slice-10: starts/ends/axes move from attributes to inputs (converted here);
 * - Clip-11: min/max move from attributes to inputs (converted);
 * - Pad-11: pads/value move from attributes to inputs (converted);
 * - TopK-10: k moves from an attribute to an input (converted);
 * - Scatter is deprecated at 11 in favour of ScatterElements, same semantics (renamed);
 * - Dropout-10: the mask output becomes bool (refused only when the mask is used);
 * - BatchNormalization-9 drops `spatial` (refused when spatial=0);
 * - Upsample is deprecated at 10, Resize-10's coordinate rule differs from 11, Scan-8's signature differs from 9
 *   (refused: re-export the model).
 * Every other op either kept its schema or only widened it (negative axes, more types).
 */
import { create } from '@bufbuild/protobuf';
import {
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DT,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
} from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import {
  getAttr,
  getAttrFloat,
  getAttrInt,
  getAttrInts,
  inferShapes,
  subgraphsOf,
  typedArrayToTensor,
} from '../../onnx';
import {
  createNameScope,
  isDefaultDomain,
  nodeLabel,
  opsetVersion,
  readNames,
  type NameScope,
} from './graph-edit';
import { float32ToFloat16Bits } from './fp16-bits';

/** Lowest source opset handled: below 7, element-wise ops still had the legacy `broadcast` attribute. */
const MIN_SOURCE_OPSET = 7;

export type OpsetUpgrade = {
  from: number;
  to: number;
  /** Nodes rewritten, by op type. */
  rewritten: Record<string, number>;
};

/**
 * Raises the default-domain opset of `model` (edited in place) to `target` (≤ 11). Returns what changed, or
 * null when the model already imports `target` or newer. Throws OPSET_TOO_OLD, naming the nodes, when an
 * op present cannot be carried over safely.
 */
export function upgradeDefaultOpset(model: ModelProto, target: number, purpose: string): OpsetUpgrade | null {
  if (target > 11) throw new RangeError('upgradeDefaultOpset handles targets up to opset 11');
  const from = opsetVersion(model) ?? 1;
  if (from >= target) return null;
  const graph = model.graph;
  if (!graph) return null;
  const refuse = (why: string): never => {
    throw new AppError(
      'OPSET_TOO_OLD',
      `${purpose} needs opset ≥ ${target}, and this opset-${from} model cannot be raised safely: ${why}. ` +
        `Export the model again at opset ${target} or newer (e.g. torch.onnx.export(..., opset_version=13)).`,
    );
  };
  if (from < MIN_SOURCE_OPSET) refuse(`opsets below ${MIN_SOURCE_OPSET} use legacy broadcasting attributes`);

  const types = inferShapes(model);
  const names = createNameScope(graph);
  const rewritten: Record<string, number> = {};
  const ctx: UpgradeCtx = { from, target, names, graph, types, rewritten, refuse };
  upgradeGraph(graph, ctx, true);

  const entry = model.opsetImport.find((o) => isDefaultDomain(o.domain));
  if (entry) entry.version = BigInt(target);
  else model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(target) }));
  // Opset 11 belongs to IR version 6.
  if (model.irVersion < 6n) model.irVersion = 6n;
  return { from, to: target, rewritten };
}

type UpgradeCtx = {
  from: number;
  target: number;
  names: NameScope;
  /** The main graph: new constants go there as initializers (visible to subgraphs too). */
  graph: GraphProto;
  types: Map<string, { elemType: number }>;
  rewritten: Record<string, number>;
  refuse(why: string): never;
};

function upgradeGraph(graph: GraphProto, ctx: UpgradeCtx, isMain: boolean): void {
  const read = readNames(graph);
  for (const node of graph.node) {
    for (const sub of subgraphsOf(node)) upgradeGraph(sub, ctx, false);
    if (!isDefaultDomain(node.domain)) continue;
    const changed = upgradeNode(node, ctx, isMain, read);
    if (changed) ctx.rewritten[node.opType] = (ctx.rewritten[node.opType] ?? 0) + 1;
  }
}

/** True when the node was rewritten. */
function upgradeNode(node: NodeProto, ctx: UpgradeCtx, isMain: boolean, read: Set<string>): boolean {
  const { from, target } = ctx;
  const label = `${node.opType} node '${nodeLabel(node)}'`;
  const crosses = (version: number) => from < version && target >= version;
  switch (node.opType) {
    case 'Slice':
      if (!crosses(10)) return false;
      sliceToInputs(node, ctx);
      return true;
    case 'Clip':
      if (!crosses(11)) return false;
      clipToInputs(node, ctx, isMain, label);
      return true;
    case 'Pad':
      if (!crosses(11)) return false;
      padToInputs(node, ctx, isMain, label);
      return true;
    case 'TopK':
      if (!crosses(10)) return false;
      moveIntsToInput(node, ctx, 'k', 1, true);
      return true;
    case 'Scatter':
      if (!crosses(11)) return false;
      node.opType = 'ScatterElements';
      return true;
    case 'Dropout':
      if (crosses(10) && node.output[1] && read.has(node.output[1])) {
        ctx.refuse(`${label} uses its mask output, whose type changes at opset 10`);
      }
      return false;
    case 'BatchNormalization':
      if (crosses(9) && getAttrInt(node, 'spatial', 1) === 0) {
        ctx.refuse(`${label} has spatial=0, which opset 9 removed`);
      }
      if (crosses(9)) node.attribute = node.attribute.filter((a) => a.name !== 'spatial');
      return false;
    case 'Upsample':
      return ctx.refuse(`${label}: Upsample is deprecated from opset 10`);
    case 'Resize':
      return crosses(11)
        ? ctx.refuse(`${label}: Resize-10 rounds coordinates differently from Resize-11`)
        : false;
    case 'Scan':
      return crosses(9) ? ctx.refuse(`${label}: Scan-8 has another signature than Scan-9`) : false;
    default:
      return false;
  }
}

function dropAttrs(node: NodeProto, names: readonly string[]): void {
  node.attribute = node.attribute.filter((a: AttributeProto) => !names.includes(a.name));
}

function baseName(node: NodeProto): string {
  return node.name || node.output[0] || node.opType;
}

function addInt64(ctx: UpgradeCtx, base: string, values: readonly number[], dims: readonly number[]): string {
  const name = ctx.names.unique(base);
  ctx.graph.initializer.push(
    typedArrayToTensor(
      name,
      DT.INT64,
      dims,
      BigInt64Array.from(values, (v) => BigInt(v)),
    ),
  );
  return name;
}

/** A scalar constant of the element type of the node's first input (float32, float16 or double). */
function addScalarLike(
  ctx: UpgradeCtx,
  node: NodeProto,
  isMain: boolean,
  label: string,
  base: string,
  value: number,
): string {
  const elemType = isMain ? (ctx.types.get(node.input[0] ?? '')?.elemType ?? 0) : 0;
  const name = ctx.names.unique(base);
  let tensor;
  switch (elemType) {
    case DT.FLOAT:
      tensor = typedArrayToTensor(name, DT.FLOAT, [], Float32Array.of(value));
      break;
    case DT.DOUBLE:
      tensor = typedArrayToTensor(name, DT.DOUBLE, [], Float64Array.of(value));
      break;
    case DT.FLOAT16:
      tensor = typedArrayToTensor(name, DT.FLOAT16, [], Uint16Array.of(float32ToFloat16Bits(value)));
      break;
    default:
      return ctx.refuse(
        `${label}: the element type of its input is unknown, so its bounds cannot become inputs`,
      );
  }
  ctx.graph.initializer.push(tensor);
  return name;
}

function sliceToInputs(node: NodeProto, ctx: UpgradeCtx): void {
  const starts = getAttrInts(node, 'starts') ?? [];
  const ends = getAttrInts(node, 'ends') ?? [];
  const axes = getAttrInts(node, 'axes');
  const base = baseName(node);
  const inputs = [
    node.input[0] ?? '',
    addInt64(ctx, `${base}_starts`, starts, [starts.length]),
    addInt64(ctx, `${base}_ends`, ends, [ends.length]),
  ];
  if (axes) inputs.push(addInt64(ctx, `${base}_axes`, axes, [axes.length]));
  node.input = inputs;
  dropAttrs(node, ['starts', 'ends', 'axes']);
}

function clipToInputs(node: NodeProto, ctx: UpgradeCtx, isMain: boolean, label: string): void {
  const min = getAttr(node, 'min') ? getAttrFloat(node, 'min', 0) : undefined;
  const max = getAttr(node, 'max') ? getAttrFloat(node, 'max', 0) : undefined;
  const base = baseName(node);
  const inputs = [node.input[0] ?? ''];
  if (min !== undefined || max !== undefined) {
    inputs.push(min === undefined ? '' : addScalarLike(ctx, node, isMain, label, `${base}_min`, min));
  }
  if (max !== undefined) inputs.push(addScalarLike(ctx, node, isMain, label, `${base}_max`, max));
  node.input = inputs;
  dropAttrs(node, ['min', 'max']);
}

function padToInputs(node: NodeProto, ctx: UpgradeCtx, isMain: boolean, label: string): void {
  // Pad-1 called the attribute `paddings`; Pad-2 `pads`.
  const pads = getAttrInts(node, 'pads') ?? getAttrInts(node, 'paddings') ?? [];
  const value = getAttrFloat(node, 'value', 0);
  const base = baseName(node);
  const inputs = [node.input[0] ?? '', addInt64(ctx, `${base}_pads`, pads, [pads.length])];
  if (value !== 0) inputs.push(addScalarLike(ctx, node, isMain, label, `${base}_value`, value));
  node.input = inputs;
  dropAttrs(node, ['pads', 'paddings', 'value']);
}

function moveIntsToInput(
  node: NodeProto,
  ctx: UpgradeCtx,
  attr: string,
  index: number,
  asVector: boolean,
): void {
  const v = getAttrInt(node, attr, 0);
  const name = addInt64(ctx, `${baseName(node)}_${attr}`, [v], asVector ? [1] : []);
  const inputs = [...node.input];
  while (inputs.length < index) inputs.push('');
  inputs.splice(index, 0, name);
  node.input = inputs;
  dropAttrs(node, [attr]);
}
