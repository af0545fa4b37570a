import type { AutoCandidate, AutoNode, AutoReport } from '../../../shared/schemas/optimize';

const candidate = (c: Partial<AutoCandidate> & Pick<AutoCandidate, 'id' | 'kind'>): AutoCandidate => ({
  description: 'per-channel',
  int8Nodes: 3,
  floatNodes: 0,
  sizeBytes: 2000,
  sizeRatio: 0.3,
  latencyMs: 1,
  latencyRatio: 0.8,
  cosine: 0.9995,
  sqnrDb: 32,
  top1: 1,
  accuracy: null,
  meetsGoal: true,
  pareto: true,
  recommended: false,
  savedAs: null,
  floatNodeNames: [],
  ...c,
});

const node = (n: Partial<AutoNode> & Pick<AutoNode, 'node'>): AutoNode => ({
  opType: 'Conv',
  sensitivitySqnrDb: 40,
  sensitivityCosine: 0.9999,
  floatUs: 100,
  int8Us: 60,
  decision: 'int8',
  reason: 'int8: within the goal and not slower',
  ...n,
});

/** An auto report shaped like a small CNN's search: a recommended mixed variant, one miss, one fp16. */
export function sampleAutoReport(patch: Partial<AutoReport> = {}): AutoReport {
  return {
    goal: 'cosine>=0.999',
    goalMet: true,
    target: 'this-machine',
    measuredOn: 'this machine (Test CPU, 2 cores), ONNX Runtime 1.30.0 CPU, 1 thread.',
    candidates: [
      candidate({ id: 'c1', kind: 'int8-static', cosine: 0.99, sqnrDb: 18, meetsGoal: false, pareto: false }),
      candidate({
        id: 'c2',
        kind: 'int8-mixed',
        description: 'per-channel, 1 node float: the most sensitive',
        floatNodes: 1,
        recommended: true,
        savedAs: 'm_2',
        floatNodeNames: ['conv1'],
      }),
      candidate({
        id: 'c3',
        kind: 'fp16',
        sizeRatio: 0.5,
        latencyRatio: 1.2,
        cosine: 0.99999,
        savedAs: 'm_3',
      }),
    ],
    nodes: [
      node({ node: 'conv2', sensitivitySqnrDb: 35 }),
      node({
        node: 'conv1',
        sensitivitySqnrDb: 12,
        decision: 'float',
        reason: 'float: among the most sensitive, needed to meet the goal',
      }),
      node({ node: 'gemm', opType: 'Gemm', sensitivitySqnrDb: null, floatUs: 20, int8Us: 30 }),
    ],
    recommendedId: 'c2',
    verdict:
      'Recommended: int8-mixed (per-channel, 1 node float) — latency 0.80× and size 0.30× of the parent.',
    notes: ['Calibration data is random: fidelity figures are not meaningful.'],
    stoppedEarly: null,
    searchMs: 42_000,
    peakRssMb: 310,
    scoringSamples: 8,
    ...patch,
  };
}
