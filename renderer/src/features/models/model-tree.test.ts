import { describe, expect, it } from 'vitest';
import { sampleModel } from '../../testing/sample-model';
import { modelRows } from './model-tree';

describe('modelRows', () => {
  it('lists parents newest first with their variants indented below them', () => {
    const a = sampleModel({ id: 'a', importedAt: '2025-01-01T00:00:00Z' });
    const b = sampleModel({ id: 'b', importedAt: '2025-02-01T00:00:00Z' });
    const a1 = sampleModel({ id: 'a1', parentId: 'a', importedAt: '2025-03-01T00:00:00Z' });
    const a1x = sampleModel({ id: 'a1x', parentId: 'a1', importedAt: '2025-03-02T00:00:00Z' });
    const rows = modelRows([a1x, a, a1, b]);
    expect(rows.map((r) => [r.model.id, r.depth])).toEqual([
      ['b', 0],
      ['a', 0],
      ['a1', 1],
      ['a1x', 2],
    ]);
  });

  it('shows orphans and cycles at the top level instead of dropping them', () => {
    const orphan = sampleModel({ id: 'o', parentId: 'gone' });
    const x = sampleModel({ id: 'x', parentId: 'y' });
    const y = sampleModel({ id: 'y', parentId: 'x' });
    const ids = modelRows([orphan, x, y]).map((r) => r.model.id);
    expect(ids.sort()).toEqual(['o', 'x', 'y']);
  });
});
