import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON, createRng } from '../../../../test/models';
import { computeScaleZeroPoint } from './quant-math';

describe('computeScaleZeroPoint against numpy (Debian python3-numpy)', () => {
  it('agrees with a numpy transcription of compute_scale_zp on random ranges', () => {
    const rng = createRng(5);
    const ranges: [number, number][] = [];
    for (let i = 0; i < 300; i++) {
      const a = Math.fround((rng() * 2 - 1) * 10 ** (rng() * 8 - 4));
      const b = Math.fround(a + rng() * 10 ** (rng() * 8 - 4));
      ranges.push([a, b]);
    }
    const script = `
import json, sys, numpy as np
def qr(t, sym):
    if t == 'uint8': return 0, 255
    return (-127, 127) if sym else (-128, 127)
out = []
for a, b, t, sym in json.load(sys.stdin):
    rmin = np.minimum(np.float32(a), np.float32(0)); rmax = np.maximum(np.float32(b), np.float32(0))
    qmin, qmax = qr(t, sym)
    if sym:
        m = np.maximum(np.abs(rmin), np.abs(rmax)); rmin, rmax = -m, m
    dr = np.array(rmax - rmin, dtype=np.float64)
    scale = dr / (np.float64(qmax) - np.float64(qmin))
    if scale < np.finfo(np.float32).tiny:
        out.append([1.0, 0]); continue
    zp = np.round((qmin + qmax) / 2.0) if sym else np.round(qmin - rmin / scale)
    out.append([float(np.float32(scale)), int(zp)])
print(json.dumps(out))`;
    const cases = ranges.flatMap(([a, b]) =>
      (['uint8', 'int8'] as const).flatMap((t) => [true, false].map((sym) => [a, b, t, sym] as const)),
    );
    const expected = JSON.parse(
      execFileSync(DEBIAN_PYTHON, ['-c', script], { input: JSON.stringify(cases) }).toString(),
    ) as [number, number][];
    const actual = cases.map(([a, b, t, sym]) => {
      const r = computeScaleZeroPoint(a, b, t, { symmetric: sym });
      return [r.scale, r.zeroPoint];
    });
    expect(actual).toEqual(expected);
  });
});
