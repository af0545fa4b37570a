// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { samplePreview } from '../../testing/deploy-results';
import { renderUi } from '../../testing/render';
import { PreflightSummary } from './preflight-summary';

const current = { release: '20260101-000000-abcd1234', sha256: 'abcd1234', variantId: 'm_2', version: null };

describe('PreflightSummary', () => {
  it('names the variant, not the parent model', () => {
    renderUi(
      <PreflightSummary
        preview={samplePreview({ modelName: 'small-cnn', variantName: 'small-cnn-int8' })}
        pending={false}
        error={null}
        idle={false}
      />,
    );
    expect(screen.getByTestId('preflight-line').textContent).toBe(
      '2 devices: 2 will receive small-cnn-int8 (1000 B each, 2 KiB in all).',
    );
  });

  it('says "modified on the device — will repair" instead of "changes nothing" when drift found the file changed', () => {
    const base = samplePreview({ variantName: 'small-cnn-int8' });
    const [a, b] = base.devices;
    if (!a || !b) throw new Error('sample preview has two devices');
    const preview = {
      ...base,
      devices: [
        {
          ...a,
          current,
          repair: true,
          notes: ['Runs it, but its file was modified: the deploy will repair it.'],
        },
        { ...b, current, unchanged: true },
      ],
    };
    renderUi(<PreflightSummary preview={preview} pending={false} error={null} idle={false} />);
    expect(screen.getByTestId('preflight-line').textContent).toBe(
      '2 devices: small-cnn-int8 modified on the device — will repair (1 already runs it).',
    );
    expect(screen.getByTestId('preflight').getAttribute('data-repair')).toBe('1');
    expect(screen.getByTestId('preflight-notes').textContent).toContain('will repair');
  });
});
