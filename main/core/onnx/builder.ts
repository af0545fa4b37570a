import { clone, create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType as AttrType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorShapeProto_DimensionSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { typedArrayToTensor, type TensorTypedArray } from './tensor';

/** Explicit attribute kinds, for values a plain JS value cannot express (1.0 as float, [] as floats …). */
export type ExplicitAttr =
  | { readonly $attr: 'float'; readonly value: number }
  | { readonly $attr: 'int'; readonly value: number | bigint }
  | { readonly $attr: 'floats'; readonly value: readonly number[] }
  | { readonly $attr: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly $attr: 'graphs'; readonly value: readonly GraphProto[] }
  | { readonly $attr: 'tensors'; readonly value: readonly TensorProto[] };

/**
 * An attribute value: an integer number → INT, other numbers → FLOAT, bigint → INT, number[] → INTS if all
 * are integers else FLOATS, string → STRING, string[] → STRINGS, TensorProto → TENSOR, GraphProto → GRAPH,
 * or an explicit helper (attrFloat(1) for a float that happens to be whole).
 */
export type AttrValue =
  number | bigint | readonly number[] | string | readonly string[] | TensorProto | GraphProto | ExplicitAttr;

export const attrFloat = (value: number): ExplicitAttr => ({ $attr: 'float', value });
export const attrInt = (value: number | bigint): ExplicitAttr => ({ $attr: 'int', value });
export const attrFloats = (value: readonly number[]): ExplicitAttr => ({ $attr: 'floats', value });
export const attrInts = (value: readonly (number | bigint)[]): ExplicitAttr => ({ $attr: 'ints', value });
export const attrGraphs = (value: readonly GraphProto[]): ExplicitAttr => ({ $attr: 'graphs', value });
export const attrTensors = (value: readonly TensorProto[]): ExplicitAttr => ({ $attr: 'tensors', value });

const utf8 = new TextEncoder();

function isMessage(v: object, typeName: string): boolean {
  return '$typeName' in v && (v as { $typeName: unknown }).$typeName === typeName;
}

/**
 * Floats are rounded to float32 here, as the file stores them: a built model then equals its decoded copy.
 */
export function makeAttribute(name: string, value: AttrValue): AttributeProto {
  const a = (init: MessageInitShape<typeof AttributeProtoSchema>) =>
    create(AttributeProtoSchema, { name, ...init });
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? a({ type: AttrType.INT, i: BigInt(value) })
      : a({ type: AttrType.FLOAT, f: Math.fround(value) });
  }
  if (typeof value === 'bigint') return a({ type: AttrType.INT, i: value });
  if (typeof value === 'string') return a({ type: AttrType.STRING, s: utf8.encode(value) });
  if (Array.isArray(value)) {
    const list = value as readonly (number | string)[];
    if (list.every((v): v is string => typeof v === 'string') && list.length > 0) {
      return a({ type: AttrType.STRINGS, strings: list.map((s) => utf8.encode(s)) });
    }
    const nums = list as readonly number[];
    return nums.every((v) => Number.isInteger(v))
      ? a({ type: AttrType.INTS, ints: nums.map((v) => BigInt(v)) })
      : a({ type: AttrType.FLOATS, floats: nums.map(Math.fround) });
  }
  const obj = value as object;
  if (isMessage(obj, 'onnx.TensorProto')) return a({ type: AttrType.TENSOR, t: value as TensorProto });
  if (isMessage(obj, 'onnx.GraphProto')) return a({ type: AttrType.GRAPH, g: value as GraphProto });
  const explicit = value as ExplicitAttr;
  switch (explicit.$attr) {
    case 'float':
      return a({ type: AttrType.FLOAT, f: Math.fround(explicit.value) });
    case 'int':
      return a({ type: AttrType.INT, i: BigInt(explicit.value) });
    case 'floats':
      return a({ type: AttrType.FLOATS, floats: explicit.value.map(Math.fround) });
    case 'ints':
      return a({ type: AttrType.INTS, ints: explicit.value.map((v) => BigInt(v)) });
    case 'graphs':
      return a({ type: AttrType.GRAPHS, graphs: [...explicit.value] });
    case 'tensors':
      return a({ type: AttrType.TENSORS, tensors: [...explicit.value] });
  }
}

/** A dimension in a declared shape: size, symbolic name, or null (unknown). */
export type DimSpec = number | string | null;

/** A tensor-typed ValueInfoProto; `shape` undefined/null declares no shape (rank unknown). */
export function makeValueInfo(
  name: string,
  elemType: number,
  shape?: readonly DimSpec[] | null,
): ValueInfoProto {
  const dims = shape?.map((d) =>
    create(TensorShapeProto_DimensionSchema, {
      value:
        typeof d === 'number'
          ? { case: 'dimValue', value: BigInt(d) }
          : typeof d === 'string'
            ? { case: 'dimParam', value: d }
            : { case: undefined },
    }),
  );
  const type = create(TypeProtoSchema, {
    value: {
      case: 'tensorType',
      value: dims === undefined ? { elemType } : { elemType, shape: { dim: dims } },
    },
  });
  return create(ValueInfoProtoSchema, { name, type });
}

export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attrs: Readonly<Record<string, AttrValue>> = {},
  opts: { domain?: string; name?: string } = {},
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: [...inputs],
    output: [...outputs],
    name: opts.name ?? '',
    domain: opts.domain ?? '',
    attribute: Object.entries(attrs).map(([k, v]) => makeAttribute(k, v)),
  });
}

export type ModelBuilderOptions = {
  /** Version of the default ONNX domain. Default 13. */
  opset?: number;
  /** Default 8. */
  irVersion?: number;
  producer?: string | { name: string; version: string };
  graphName?: string;
};

export type ModelBuilder = {
  input(name: string, elemType: number, shape?: readonly DimSpec[] | null): ModelBuilder;
  /** Without elemType the output is declared untyped (as some exporters do). */
  output(name: string, elemType?: number, shape?: readonly DimSpec[] | null): ModelBuilder;
  valueInfo(name: string, elemType: number, shape?: readonly DimSpec[] | null): ModelBuilder;
  initializer(name: string, dataType: number, dims: readonly number[], data: TensorTypedArray): ModelBuilder;
  /** Adds a ready TensorProto as initializer (e.g. one with float_data instead of raw_data). */
  initializerTensor(tensor: TensorProto): ModelBuilder;
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs?: Readonly<Record<string, AttrValue>>,
    opts?: { domain?: string; name?: string },
  ): ModelBuilder;
  /** Imports another operator set domain (the default domain comes from `opset`). */
  opset(domain: string, version: number): ModelBuilder;
  /** A graph (for If/Loop bodies) from what was added so far. */
  buildGraph(): GraphProto;
  /** A new ModelProto each call; later builder calls do not change it. */
  build(): ModelProto;
};

/** A small fluent helper to write ONNX models in code (tests, fixtures, optimizer passes). */
export function createModelBuilder(options: ModelBuilderOptions = {}): ModelBuilder {
  const inputs: ValueInfoProto[] = [];
  const outputs: ValueInfoProto[] = [];
  const valueInfos: ValueInfoProto[] = [];
  const initializers: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  const opsets = new Map<string, number>([['', options.opset ?? 13]]);
  const producer =
    typeof options.producer === 'string'
      ? { name: options.producer, version: '' }
      : (options.producer ?? { name: 'edgefleet', version: '' });

  const untyped = (name: string) => create(ValueInfoProtoSchema, { name });

  const buildGraph = (): GraphProto =>
    create(GraphProtoSchema, {
      name: options.graphName ?? 'main',
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: outputs,
      valueInfo: valueInfos,
    });

  const builder: ModelBuilder = {
    input(name, elemType, shape) {
      inputs.push(makeValueInfo(name, elemType, shape));
      return builder;
    },
    output(name, elemType, shape) {
      outputs.push(elemType === undefined ? untyped(name) : makeValueInfo(name, elemType, shape));
      return builder;
    },
    valueInfo(name, elemType, shape) {
      valueInfos.push(makeValueInfo(name, elemType, shape));
      return builder;
    },
    initializer(name, dataType, dims, data) {
      initializers.push(typedArrayToTensor(name, dataType, dims, data));
      return builder;
    },
    initializerTensor(tensor) {
      initializers.push(tensor);
      return builder;
    },
    node(opType, ins, outs, attrs, opts = {}) {
      nodes.push(
        makeNode(opType, ins, outs, attrs, { ...opts, name: opts.name ?? `${opType}_${nodes.length}` }),
      );
      return builder;
    },
    opset(domain, version) {
      opsets.set(domain, version);
      return builder;
    },
    buildGraph: () => clone(GraphProtoSchema, buildGraph()),
    build() {
      const model = create(ModelProtoSchema, {
        irVersion: BigInt(options.irVersion ?? 8),
        producerName: producer.name,
        producerVersion: producer.version,
        opsetImport: [...opsets].map(([domain, version]) =>
          create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }),
        ),
        graph: buildGraph(),
      });
      return clone(ModelProtoSchema, model);
    },
  };
  return builder;
}
