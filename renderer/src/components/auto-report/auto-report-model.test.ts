import { describe, expect, it } from 'vitest';
import { sampleAutoReport } from '../../testing/sample-auto-report';
import { chartPoints, flipOverrides, ratioAxis, sortNodes, verdictTone } from './auto-report-model';

describe('verdictTone', () => {
  it('tells a recommended variant from "deploy the parent" and "goal not met"', () => {
    expect(verdictTone({ recommendedId: 'c2', goalMet: true })).toBe('recommended');
    expect(verdictTone({ recommendedId: null, goalMet: true })).toBe('deploy-parent');
    expect(verdictTone({ recommendedId: null, goalMet: false })).toBe('goal-not-met');
  });
});

describe('sortNodes', () => {
  const { nodes } = sampleAutoReport();

  it('puts the most sensitive first and unmeasured nodes last', () => {
    expect(sortNodes(nodes, 'sensitivity').map((n) => n.node)).toEqual(['conv1', 'conv2', 'gemm']);
  });

  it('sorts by time int8 saves (a slower int8 kernel last) and by name', () => {
    // conv1 and conv2 save 40 µs each (name breaks the tie); gemm's int8 kernel costs 10 µs more.
    expect(sortNodes(nodes, 'saving').map((n) => n.node)).toEqual(['conv1', 'conv2', 'gemm']);
    expect(sortNodes(nodes, 'node').map((n) => n.node)).toEqual(['conv1', 'conv2', 'gemm']);
    const faster = nodes.map((n) => (n.node === 'gemm' ? { ...n, floatUs: 500 } : n));
    expect(sortNodes(faster, 'saving')[0]?.node).toBe('gemm');
  });
});

describe('flipOverrides', () => {
  const { nodes } = sampleAutoReport();

  it('forces picked int8 nodes float and picked float nodes int8, keeping earlier overrides', () => {
    const base = { forceFloat: ['other', 'conv1'], forceInt8: ['conv2', 'x'] };
    expect(flipOverrides(base, nodes, new Set(['conv1', 'conv2']))).toEqual({
      forceFloat: ['other', 'conv2'],
      forceInt8: ['x', 'conv1'],
    });
    expect(flipOverrides(base, nodes, new Set())).toEqual(base);
  });
});

describe('chartPoints', () => {
  it('splits measured candidates by the goal and leaves out those without a latency', () => {
    const { candidates } = sampleAutoReport();
    const withUnmeasured = [...candidates, { ...candidates[0]!, id: 'c4', latencyRatio: null }];
    const { meets, misses } = chartPoints(withUnmeasured);
    expect(meets.map((p) => p.id)).toEqual(['c2', 'c3']);
    expect(misses.map((p) => p.id)).toEqual(['c1']);
    expect(meets.find((p) => p.recommended)?.id).toBe('c2');
  });

  it('always shows the parent at 1× on both axes', () => {
    expect(ratioAxis([0.3, 0.5])).toEqual({ domain: [0, 1.25], ticks: [0, 0.25, 0.5, 0.75, 1, 1.25] });
    expect(ratioAxis([1.9]).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(ratioAxis([30]).ticks).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
  });
});
