import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PYTHON, createRng, gaussian } from '../../../../test/models';
import { StreamingHistogram } from './histogram';
import { bestEntropyHalfWidth } from './thresholds';

describe('calibrators against numpy (Debian python3-numpy)', () => {
  it('entropy threshold equals an independent numpy implementation of the same algorithm', () => {
    const script = `
import json, sys, numpy as np
req = json.load(sys.stdin)
out = []
for counts, nq, asym in req:
    c = np.array(counts, dtype=np.float64); n = c.size; z = n // 2; hq = nq // 2
    first = int(np.argmax(c != 0))
    def smooth(x):
        zeros = (x == 0); nz = x.size - zeros.sum()
        if nz == 0: return None
        e1 = 1e-4 * zeros.sum() / nz
        y = np.where(zeros, 1e-4, np.maximum(x - e1, np.finfo(np.float64).tiny))
        return y / y.sum()
    kls = []
    for i in range(hq, z + 1):
        s, e = (min(max(z - i, first), z) if asym else z - i), z + i
        sl = c[s:e]; p = sl.copy(); p[0] += c[:s].sum(); p[-1] += c[e:].sum()
        ng = min(nq, sl.size); g = sl.size // ng; q = np.zeros(sl.size)
        for k in range(ng):
            a = k * g; b = sl.size if k == ng - 1 else a + g
            nzm = p[a:b] != 0
            if nzm.sum(): q[a:b][nzm] = sl[a:b].sum() / nzm.sum()
        ps, qs = smooth(p), smooth(q)
        kls.append(np.inf if ps is None or qs is None else float(np.sum(ps * np.log(ps / qs))))
    out.append(hq + int(np.argmin(kls)))
print(json.dumps(out))`;
    const cases: [number[], number, boolean][] = [];
    for (const [seed, bins, nq, oneSided] of [
      [1, 512, 128, false],
      [2, 256, 32, false],
      [3, 2048, 128, false],
      [4, 2048, 128, true],
    ] as const) {
      const h = new StreamingHistogram('signed', bins);
      const data = gaussian(createRng(seed), 50_000, 0.7);
      for (let i = 0; i < 30; i++) data[i * 101] = (i % 2 ? 1 : -1) * (8 + i);
      // One-sided (post-ReLU-like) data: the asymmetric window starts at the data.
      if (oneSided) for (let i = 0; i < data.length; i++) data[i] = Math.max(0.1, Math.abs(data[i]!));
      h.add(data);
      cases.push([[...h.counts], nq, oneSided]);
    }
    const expected = JSON.parse(
      execFileSync(DEBIAN_PYTHON, ['-c', script], { input: JSON.stringify(cases) }).toString(),
    ) as number[];
    const actual = cases.map(([counts, nq, asymmetric]) =>
      bestEntropyHalfWidth(Float64Array.from(counts), nq, { asymmetric }),
    );
    expect(actual).toEqual(expected);
    // The outliers (≥ 8, σ = 0.7) are clipped: the window is well inside the histogram.
    expect(actual[2]!).toBeLessThan(1024 / 2);
    // One-sided data judged as one-sided clips less than the same data judged two-sided.
    const [counts, nq] = cases[3]!;
    expect(actual[3]!).toBeGreaterThan(bestEntropyHalfWidth(Float64Array.from(counts), nq));
  });
});
