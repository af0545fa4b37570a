import { describe, expect, it } from 'vitest';
import { defaultOpset, formatBytes, formatCount, formatShape } from './format';

describe('format', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1_234_567)).toBe('1.2 MiB');
    expect(formatBytes(300 * 1024 * 1024)).toBe('300 MiB');
  });

  it('formats counts in SI steps', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(12_300)).toBe('12.3 k');
    expect(formatCount(1_200_000)).toBe('1.2 M');
    expect(formatCount(12_345_678)).toBe('12.3 M');
    expect(formatCount(4_000_000_000)).toBe('4 G');
  });

  it('shows shapes with symbolic dims by name', () => {
    expect(formatShape([1, 3, 32, 32])).toBe('1×3×32×32');
    expect(formatShape(['batch', 3, null])).toBe('batch×3×?');
    expect(formatShape([])).toBe('scalar');
    expect(formatShape(null)).toBe('unknown rank');
  });

  it('finds the default-domain opset', () => {
    expect(
      defaultOpset([
        { domain: 'com.microsoft', version: 1 },
        { domain: '', version: 17 },
      ]),
    ).toBe(17);
    expect(defaultOpset([{ domain: 'ai.onnx', version: 13 }])).toBe(13);
    expect(defaultOpset([])).toBeNull();
  });
});
