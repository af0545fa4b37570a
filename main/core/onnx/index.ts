// The ONNX module's public surface: read/write ONNX protobuf, external data, validation, tensors, graphs,
// shape inference and the model summary.
export { decodeModel, encodeModel } from './model-codec';
export { encodeModelParts, concatParts, DEFAULT_SPLIT_BYTES } from './model-encoder';
export { readModelFile, hasExternalData, type ModelFile } from './read-model-file';
export { internalizeExternalData, type InternalizeOptions } from './external-data';
export { validateModel, KNOWN_OPSET_DOMAINS } from './validate-model';
export { cloneModelSharingTensorData } from './clone-model';
export { MAX_PROTOBUF_BYTES, formatBytes } from './size-limits';
export {
  elemTypeName,
  elemTypeFromName,
  elemByteSize,
  tensorDataByteLength,
  tensorElementCount,
  tensorToTypedArray,
  tensorToNumbers,
  typedArrayToTensor,
  type TensorTypedArray,
} from './tensor';
export { forEachTensor, forEachTensorInGraph, forEachGraph, describeTensorSite } from './tensor-walk';
export type { TensorSite, TensorVisitor } from './tensor-walk';
export {
  initializerMap,
  producerMap,
  consumerMap,
  nodeDependencies,
  subgraphsOf,
  outerScopeNames,
  topologicalOrder,
  getAttr,
  getAttrInt,
  getAttrInts,
  getAttrFloat,
  getAttrFloats,
  getAttrString,
  getAttrStrings,
  getAttrTensor,
  getAttrGraph,
} from './graph';
export {
  inferShapes,
  valueShapeFromType,
  defaultOpsetVersion,
  type Dim,
  type ValueShape,
} from './shape-inference';
export { summarizeModel, nodeMacs } from './summary';
export {
  createModelBuilder,
  makeAttribute,
  makeNode,
  makeValueInfo,
  attrFloat,
  attrInt,
  attrFloats,
  attrInts,
  attrGraphs,
  attrTensors,
  type AttrValue,
  type DimSpec,
  type ExplicitAttr,
  type ModelBuilder,
  type ModelBuilderOptions,
} from './builder';
