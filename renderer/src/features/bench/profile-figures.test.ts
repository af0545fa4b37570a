import { describe, expect, it } from 'vitest';
import { profileFigure, speedFeatures } from './profile-figures';

describe('profile figures', () => {
  it('rounds figures without trailing zeros and marks missing ones', () => {
    expect(profileFigure(2.4, 2)).toBe('2.4');
    expect(profileFigure(13.333)).toBe('13.3');
    expect(profileFigure(5)).toBe('5');
    expect(profileFigure(undefined)).toBe('—');
  });

  it('keeps only the features that change a speed estimate', () => {
    expect(speedFeatures(['fp', 'asimd', 'neon', 'dotprod', 'crc32'])).toBe('neon dotprod');
    expect(speedFeatures(['sse2'])).toBe('—');
  });
});
