// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type {
  TrainingReport as Training,
  VariantReport as Report,
} from '../../../../shared/schemas/optimize';
import { renderUi } from '../../testing/render';
import { VariantReport } from './variant-report';

const training: Training = {
  student: 'width:0.5',
  studentParameters: 2_500,
  teacherParameters: 10_000,
  samples: 38,
  dataSha256: 'd'.repeat(64),
  labelled: false,
  epochs: 2,
  lossCurve: [0.9, 0.4],
  fidelityCurve: [0.95, 0.991],
  samplesPerSecond: 123.4,
};

function report(patch: Partial<Training> = {}): Report {
  return {
    pass: {
      method: 'distill',
      converted: { 'trained parameters': 2_500 },
      skipped: [],
      calibration: null,
      warnings: [],
      durationMs: 1,
      training: { ...training, ...patch },
    },
    fidelity: {
      samples: 10,
      source: 'held-out',
      outputs: [
        { name: 'logits', sqnrDb: 20, cosine: 0.99, maxAbsError: 0.1, meanAbsError: 0.01, top1Agreement: 1 },
      ],
      accuracy: null,
      tensors: [],
      sizeBytes: { parent: 40_000, variant: 10_000, ratio: 0.25 },
      latencyMs: { parent: 1, variant: 0.5, ratio: 0.5, runs: 3 },
      warnings: [],
    },
  };
}

const recipe = {
  method: 'distill',
  config: {
    student: 'width:0.5',
    epochs: 2,
    temperature: 4,
    alpha: 0.5,
    learningRate: 0.01,
    batchSize: 8,
    seed: 1,
  },
  parentSha256: 'p'.repeat(64),
  calibration: null,
  evaluation: null,
  onnxRuntimeVersion: '1.0.0',
  edgefleetVersion: '0.1.0',
};

const text = (id: string) => screen.getByTestId(id).textContent;

describe('VariantReport of a trained variant', () => {
  it('shows the recipe, data hash, curves, final fidelity and samples/s', () => {
    renderUi(<VariantReport report={report()} recipe={recipe} />);
    expect(text('training-student')).toBe('a narrower copy (50 % of the channels)');
    expect(text('training-recipe-temperature')).toBe('4');
    expect(text('training-recipe-learningRate')).toBe('0.01');
    expect(text('training-recipe-batchSize')).toBe('8');
    expect(screen.getByTestId('training-data-hash').getAttribute('title')).toBe('d'.repeat(64));
    expect(text('training-throughput')).toBe('123.4 samples/s');
    expect(text('training-final-fidelity')).toBe('cosine 0.9900 on 10 samples · last epoch held-out 0.9910');
    const curves = screen.getByTestId('training-report-curves');
    expect(curves.getAttribute('data-epochs')).toBe('2');
    expect(text('training-report-curves-loss')).toContain('loss 0.400 (epoch 2)');
    expect(text('training-report-curves-fidelity')).toContain('0.9910 (epoch 2)');
    expect(screen.queryByTestId('training-cancelled')).toBeNull();
    expect(screen.queryByTestId('training-held-out')).toBeNull();
  });

  it.each([
    [{}, '0.9000 before → 0.9910 (epoch 2, the last)'],
    [{ keptEpoch: 1 }, '0.9000 before → 0.9500 (epoch 1, the best)'],
    [{ keptEpoch: 0 }, '0.9000 before training; no epoch did better, so these are the starting weights'],
    [
      { keptEpoch: 2, keptUpdate: 5, keptCosine: 0.995 },
      '0.9000 before → 0.9950 (update 5, in epoch 2, the best)',
    ],
  ] as const)('says which weights it kept against the held-out start (%j)', (patch, expected) => {
    renderUi(<VariantReport report={report({ fidelityBefore: 0.9, ...patch })} />);
    expect(text('training-held-out')).toBe(expected);
  });

  it('says a cancelled training kept its best epoch', () => {
    renderUi(<VariantReport report={report({ cancelled: { atEpoch: 3, epochs: 10, bestEpoch: 2 } })} />);
    expect(text('training-cancelled')).toBe(
      'Cancelled at epoch 3 of 10: this is the model after epoch 2, the best completed one.',
    );
  });

  it('says a cancelled training kept its best held-out check inside an epoch', () => {
    renderUi(
      <VariantReport
        report={report({ cancelled: { atEpoch: 3, epochs: 10, bestEpoch: 3, bestUpdate: 21 } })}
      />,
    );
    expect(text('training-cancelled')).toBe(
      'Cancelled at epoch 3 of 10: this is the model after update 21 (in epoch 3), the best held-out check.',
    );
  });

  it('reads a variant trained before fidelity was tracked, and one without a recipe', () => {
    renderUi(<VariantReport report={report({ fidelityCurve: undefined, student: 'qdq' })} />);
    expect(text('training-student')).toBe('the static INT8 (QDQ) model, fake-quantized');
    expect(text('training-report-curves-fidelity')).toContain('not measured (no held-out samples)');
    expect(screen.queryByTestId('training-recipe-temperature')).toBeNull();
    expect(document.body.textContent).toContain('No per-epoch fidelity was recorded');
  });

  it('has no training section for a variant that did not train', () => {
    const plain = report();
    delete plain.pass.training;
    renderUi(<VariantReport report={plain} />);
    expect(screen.queryByTestId('training-report')).toBeNull();
  });
});
