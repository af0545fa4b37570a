import type { NodeProto } from 'onnx-buf';
import { getAttrInts } from './graph';
import type { Dim } from './shape-dims';

export type ValueShape = { elemType: number; shape: Dim[] | null };

/** An inferred output; `value` holds the contents of small integer tensors (shapes, axes) when known. */
export type InferredOutput = ValueShape & { value?: Dim[] };

export type RuleContext = {
  node: NodeProto;
  /** Version of the default ONNX domain the model imports. */
  opset: number;
  /** Input i is given (not absent, not ''). */
  has(i: number): boolean;
  /** Element type of input i (0 = unknown). */
  type(i: number): number;
  shape(i: number): Dim[] | null;
  /** Known contents of input i (flattened), possibly with symbolic or unknown entries. */
  value(i: number): Dim[] | undefined;
  /** Known contents of input i when all entries are numbers. */
  numbers(i: number): number[] | undefined;
};

export type ShapeRule = (ctx: RuleContext) => (InferredOutput | undefined)[];

/** Values of small constants are tracked for shape arithmetic; bigger tensors are weights, not shapes. */
export const MAX_TRACKED_VALUE_ELEMENTS = 64;

export const out = (elemType: number, shape: Dim[] | null, value?: Dim[]): InferredOutput =>
  value === undefined ? { elemType, shape } : { elemType, shape, value };

export const rankOnly = (rank: number): Dim[] => Array.from({ length: rank }, () => null);

/** Axes given as an attribute before opset `inputFrom`, as input `inputIndex` from then on. */
export function axesFrom(
  c: RuleContext,
  inputFrom: number,
  inputIndex: number,
): number[] | undefined | 'unknown' {
  if (c.opset >= inputFrom) {
    if (!c.has(inputIndex)) return undefined;
    return c.numbers(inputIndex) ?? 'unknown';
  }
  return getAttrInts(c.node, 'axes');
}
