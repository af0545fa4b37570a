import { elementwiseRules } from './shape-rules-elementwise';
import { nnRules } from './shape-rules-nn';
import { shapeOpRules } from './shape-rules-shape-ops';
import type { ShapeRule } from './shape-rule-context';

export type { InferredOutput, RuleContext, ShapeRule, ValueShape } from './shape-rule-context';
export { MAX_TRACKED_VALUE_ELEMENTS } from './shape-rule-context';

/** Shape rules of the default ONNX domain, by op type. Einsum and control flow are deliberately absent. */
export const shapeRules: ReadonlyMap<string, ShapeRule> = new Map([
  ...elementwiseRules,
  ...nnRules,
  ...shapeOpRules,
]);
