/**
 * Which ops the FP16 pass converts, and which inputs and outputs of converted ops keep float32.
 * Sources: onnxconverter-common's DEFAULT_OP_BLOCK_LIST and ONNX Runtime's transformers/float16.py
 * (ALWAYS_FLOAT_INPUTS), checked against the ONNX operator type constraints.
 */

/**
 * Op types left in float32 unless the caller gives its own block list: onnxconverter-common's default list
 * (the ai.onnx.ml ops, and ops whose fp16 kernels were missing or lost accuracy: NonMaxSuppression, TopK,
 * RoiAlign, Resize, Range, CumSum, Min, Max, Upsample, RandomUniformLike).
 */
export const DEFAULT_FP16_BLOCK_LIST: readonly string[] = [
  'ArrayFeatureExtractor',
  'Binarizer',
  'CastMap',
  'CategoryMapper',
  'DictVectorizer',
  'FeatureVectorizer',
  'Imputer',
  'LabelEncoder',
  'LinearClassifier',
  'LinearRegressor',
  'Normalizer',
  'OneHotEncoder',
  'RandomUniformLike',
  'SVMClassifier',
  'SVMRegressor',
  'Scaler',
  'TreeEnsembleClassifier',
  'TreeEnsembleRegressor',
  'ZipMap',
  'NonMaxSuppression',
  'TopK',
  'RoiAlign',
  'Resize',
  'Range',
  'CumSum',
  'Min',
  'Max',
  'Upsample',
];

/**
 * Ops that always stay float32, whatever the block list: their ONNX schema has no float16 for the float
 * input or output (Range, NonMaxSuppression, IsInf before opset 20, CumSum before 14), or they are part of
 * quantization (scales are float32 before opset 19; QLinear… ops are kept as well).
 */
export const ALWAYS_FLOAT32_OPS: ReadonlySet<string> = new Set([
  'Range',
  'NonMaxSuppression',
  'IsInf',
  'CumSum',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
]);

/**
 * Inputs that stay float32 on a converted node: Resize's roi and scales (scales is tensor(float) only;
 * ONNX Runtime's converter keeps them float32 as well), Upsample's scales.
 */
export const FLOAT32_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Resize: [1, 2],
  Upsample: [1],
};

/** Outputs whose type does not follow the node's float inputs: LayerNormalization's Mean/InvStdDev (type U). */
export const FLOAT32_OUTPUTS: Readonly<Record<string, readonly number[]>> = {
  LayerNormalization: [1, 2],
};

/** Inputs of any type: they are read as they come (float16 or float32), never cast for the node's sake. */
export const ANY_TYPE_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Shape: [0],
  Size: [0],
  Cast: [0],
  CastLike: [0],
};

/**
 * Ops whose float output type comes from an attribute rather than from a float input: converting them means
 * rewriting that attribute (Cast's `to`, ConstantOfShape's `value`, the random generators' `dtype`).
 */
export const FLOAT_SOURCE_OPS: ReadonlySet<string> = new Set([
  'Cast',
  'ConstantOfShape',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'EyeLike',
  'Bernoulli',
]);
