// Shared quantization arithmetic (spec-exact QuantizeLinear/DequantizeLinear, ORT's scale/zero-point rules).
export * from './quant-math';
export { assertNotQuantized, isQuantizedOp, quantizedOpCounts } from './quantized-ops';
