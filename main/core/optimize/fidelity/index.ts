// The fidelity report: how far a variant's outputs and quantized tensors drift from its parent, how much smaller
// and faster it is. Definitions: fidelity/README.md.
export { evaluateFidelity, type EvaluateFidelityArgs } from './evaluate-fidelity';
export { SQNR_CAP_DB, sqnrDb, cosine, createErrorSums, addPairs, type ErrorSums } from './error-metrics';
export { classScoreRows, argMax } from './class-scores';
export { measureLatency, median, type LatencyOptions, type LatencyResult } from './latency';
export { quantizedTensorSqnr, withOutputs } from './tensor-sqnr';
export { noiseBudgetOf, noiseBudgetWarning, COSINE_0999_DB } from './noise-budget';
