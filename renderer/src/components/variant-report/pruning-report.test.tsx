import { MantineProvider } from '@mantine/core';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PruningReport as Report } from '../../../../shared/schemas/prune';
import { blocker, buildRunParams, defaultForm } from '../../features/optimize/optimize-form';
import { sampleModel } from '../../testing/sample-model';
import { PruningReport } from './pruning-report';

/** Server-rendered markup, without the comments React puts between adjacent text parts. */
const render = (pruning: Report) =>
  renderToString(
    <MantineProvider>
      <PruningReport pruning={pruning} />
    </MantineProvider>,
  ).replaceAll('<!-- -->', '');

describe('PruningReport', () => {
  it('shows channel totals, only the changed layers, and the sensitivity chart', () => {
    const layer = {
      opType: 'Conv',
      inputsBefore: 3,
      inputsAfter: 3,
      macsBefore: 2e6,
      macsAfter: 1e6,
      paramsBefore: 10,
      paramsAfter: 5,
    };
    const html = render({
      kind: 'channels',
      ratio: 0.3,
      importance: 'l1',
      groups: [
        {
          producers: ['conv1'],
          channelsBefore: 32,
          channelsAfter: 24,
          ratio: 0.25,
          sensitivityDb: 21.5,
          latencySavedMs: null,
        },
      ],
      blocked: [],
      layers: [
        { ...layer, node: 'conv1', channelsBefore: 32, channelsAfter: 24 },
        { ...layer, node: 'untouched', channelsBefore: 10, channelsAfter: 10 },
      ],
      totals: { macsBefore: 4e6, macsAfter: 2e6, paramsBefore: 100, paramsAfter: 50 },
    });
    expect(html).toContain('32 → 24');
    expect(html).toContain('50.0 %');
    expect(html).toContain('21.5 dB');
    expect(html).not.toContain('untouched');
    expect(html).not.toContain('Latency-aware');
  });

  it('says which plan a latency-aware run kept and what each group saved alone', () => {
    const report = (allocation: 'latency-aware' | 'uniform', againstUniform: number) =>
      render({
        kind: 'channels',
        ratio: 0.5,
        importance: 'l1',
        groups: [
          {
            producers: ['conv1'],
            channelsBefore: 16,
            channelsAfter: 4,
            ratio: 0.75,
            sensitivityDb: null,
            latencySavedMs: 0.0056,
          },
        ],
        blocked: [],
        layers: [],
        totals: { macsBefore: 4e6, macsAfter: 1e6, paramsBefore: 100, paramsAfter: 50 },
        latency: { allocation, baseMs: 0.0312, againstUniform, measurements: 11 },
      });
    const kept = report('latency-aware', 0.84);
    expect(kept).toContain('runs in 84 %');
    expect(kept).toContain('16 → 4, 6 µs saved alone (of 31 µs)');
    expect(report('uniform', 0.99)).toContain('so the uniform share was kept');
  });

  it('shows weight sparsity with compressed sizes and says it is no faster', () => {
    const html = render({
      kind: 'weights',
      sparsity: 0.8,
      scope: 'global',
      layers: [
        {
          node: 'fc',
          opType: 'Gemm',
          tensor: 'fc.w',
          params: 100,
          zeros: 0,
          sparsity: 0,
          skipped: 'last layer',
        },
      ],
      overallSparsity: 0.75,
      sizeBytes: {
        dense: { plain: 4000, gzip: 3700, zstd: 3600 },
        pruned: { plain: 4000, gzip: 1200, zstd: null },
      },
    });
    expect(html).toContain('75.0 %');
    expect(html).toContain('skipped (last layer)');
    expect(html).toContain('No speed-up');
  });
});

describe('Optimize form with the pruning methods', () => {
  it('sends the pruning options, with calibration data only when chosen', () => {
    const form = { ...defaultForm('m_1'), modelId: 'm_1', method: 'prune-channels' as const };
    expect(blocker(form, sampleModel())).toBeNull();
    const params = buildRunParams(form, { calibration: 'ref', evaluation: null });
    expect(params.options).toMatchObject({
      method: 'prune-channels',
      config: { ratio: 0.3, importance: 'l1' },
    });
    expect(params.calibration).toEqual({ kind: 'npy', fileRef: 'ref' });
    const none = buildRunParams(
      { ...form, calibration: { kind: 'none' } },
      { calibration: null, evaluation: null },
    );
    expect(none.calibration).toBeUndefined();
    const weights = buildRunParams(
      { ...form, method: 'prune-weights' },
      { calibration: 'ref', evaluation: null },
    );
    expect(weights.options).toMatchObject({
      method: 'prune-weights',
      config: { sparsity: 0.8, scope: 'global' },
    });
    expect(weights.calibration).toBeUndefined();
    expect(blocker({ ...form, method: 'int8-static', calibration: { kind: 'none' } }, sampleModel())).toMatch(
      /needs calibration/,
    );
  });
});
