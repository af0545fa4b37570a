import { TensorProto_DataType as DT } from 'onnx-buf';
import { getAttrInt } from './graph';
import { broadcastShapes, isNumber, type Dim } from './shape-dims';
import { out, type RuleContext, type ShapeRule } from './shape-rule-context';

// Element-wise operators: the output has the (broadcast) shape of the inputs.

const sameAsInput: ShapeRule = (c) => [out(c.type(0), c.shape(0))];

const negRule: ShapeRule = (c) => [
  out(
    c.type(0),
    c.shape(0),
    c.numbers(0)?.map((v) => -v),
  ),
];

// prettier-ignore
const unaryOps = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish', 'Gelu', 'Erf', 'Softmax',
  'LogSoftmax', 'Sqrt', 'Exp', 'Abs', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign',
  'Reciprocal', 'Floor', 'Ceil', 'Round', 'Log', 'Sin', 'Cos', 'Tan', 'Sign', 'Mish', 'Hardmax',
  'ThresholdedRelu', 'Shrink', 'InstanceNormalization', 'LRN', 'PRelu', 'CumSum', 'Trilu',
  'MeanVarianceNormalization',
];

const predicateOps = ['IsNaN', 'IsInf', 'Not'];

const broadcastOps = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'Mod', 'BitShift'];
const comparisonOps = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'];

const inputShapes = (c: RuleContext): (Dim[] | null)[] =>
  c.node.input.map((_, i) => (c.has(i) ? c.shape(i) : []));

/** Element-wise arithmetic on known shape values (e.g. Div(Gather(Shape(x)), 2)). */
function arithmetic(op: string, c: RuleContext): Dim[] | undefined {
  const a = c.numbers(0);
  const b = c.numbers(1);
  if (!a || !b || c.node.input.length !== 2) return undefined;
  const n = Math.max(a.length, b.length);
  if ((a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1)) return undefined;
  const isInt = c.type(0) === DT.INT64 || c.type(0) === DT.INT32;
  const result: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length === 1 ? 0 : i]!;
    const y = b[b.length === 1 ? 0 : i]!;
    switch (op) {
      case 'Add':
        result.push(x + y);
        break;
      case 'Sub':
        result.push(x - y);
        break;
      case 'Mul':
        result.push(x * y);
        break;
      case 'Div':
        if (y === 0) return undefined;
        result.push(isInt ? Math.trunc(x / y) : x / y);
        break;
      default:
        return undefined;
    }
  }
  return result;
}

const broadcastRule =
  (op: string): ShapeRule =>
  (c) => {
    const shape = broadcastShapes(inputShapes(c));
    return [out(c.type(0), shape, arithmetic(op, c))];
  };

const castRule: ShapeRule = (c) => {
  const to = getAttrInt(c.node, 'to', 0);
  const integral = to === DT.INT64 || to === DT.INT32;
  const v = c.value(0);
  return [
    out(to, c.shape(0), integral && v?.every((d) => !isNumber(d) || Number.isInteger(d)) ? v : undefined),
  ];
};

const whereRule: ShapeRule = (c) => [out(c.type(1), broadcastShapes(inputShapes(c)))];

const quantizeRule: ShapeRule = (c) => [out(c.has(2) ? c.type(2) : DT.UINT8, c.shape(0))];
const dequantizeRule: ShapeRule = (c) => [out(c.type(1), c.shape(0))];
const dynamicQuantizeRule: ShapeRule = (c) => [
  out(DT.UINT8, c.shape(0)),
  out(DT.FLOAT, []),
  out(DT.UINT8, []),
];

const dropoutRule: ShapeRule = (c) => [out(c.type(0), c.shape(0)), out(DT.BOOL, c.shape(0))];

export const elementwiseRules = new Map<string, ShapeRule>([
  ...unaryOps.map((op): [string, ShapeRule] => [op, sameAsInput]),
  ...predicateOps.map((op): [string, ShapeRule] => [op, (c) => [out(DT.BOOL, c.shape(0))]]),
  ...broadcastOps.map((op): [string, ShapeRule] => [op, broadcastRule(op)]),
  ...comparisonOps.map((op): [string, ShapeRule] => [
    op,
    (c) => [out(DT.BOOL, broadcastShapes(inputShapes(c)))],
  ]),
  ['Neg', negRule],
  ['Identity', (c) => [out(c.type(0), c.shape(0), c.value(0))]],
  ['Dropout', dropoutRule],
  ['Cast', castRule],
  ['CastLike', (c) => [out(c.type(1), c.shape(0), c.value(0))]],
  ['Where', whereRule],
  ['QuantizeLinear', quantizeRule],
  ['DequantizeLinear', dequantizeRule],
  ['DynamicQuantizeLinear', dynamicQuantizeRule],
]);
