import { describe, expect, it } from 'vitest';
import { modelNameSchema } from '../../../shared/schemas/models';
import { freeModelName, maxModelNameLength, variantDefaultName } from './variant-name';

describe('variant names', () => {
  it('names a variant after its parent and its own method, a variant of a variant included', () => {
    expect(variantDefaultName('m', 'int8-static')).toBe('m-int8-static');
    expect(variantDefaultName('m-int8-static', 'fp16')).toBe('m-int8-static-fp16');
    expect(variantDefaultName('m-fp16', 'int8-dynamic')).toBe('m-fp16-int8-dynamic');
  });

  it('keeps the method whole and the name valid when the parent’s name is already at the limit', () => {
    const parent = 'p'.repeat(maxModelNameLength);
    const name = variantDefaultName(parent, 'int8-dynamic');
    expect(name.endsWith('-int8-dynamic')).toBe(true);
    expect(name).toHaveLength(maxModelNameLength);
    expect(modelNameSchema.safeParse(name).success).toBe(true);
  });

  it('numbers a taken name, cutting a long one so the counter fits', () => {
    const taken = new Set(['m-fp16', 'm-fp16 (2)']);
    expect(freeModelName('m-fp16', (n) => taken.has(n))).toBe('m-fp16 (3)');
    expect(freeModelName('free', (n) => taken.has(n))).toBe('free');
    const long = 'x'.repeat(maxModelNameLength);
    const next = freeModelName(long, (n) => n === long);
    expect(next).toBe(`${'x'.repeat(maxModelNameLength - 4)} (2)`);
    expect(modelNameSchema.safeParse(next).success).toBe(true);
  });
});
