import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import type { TensorInfo } from '../../../../shared/schemas/models';
import { parseDimArg, parseShapeArg, resolveInputs } from './input-plan';

const paddle: TensorInfo[] = [
  { name: 'x', elemType: 'float32', shape: ['p2o.DynamicDimension.0', 3, 'H', 'W'] },
];

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  return 'none';
}

describe('resolveInputs', () => {
  it('defaults a symbolic batch to 1 and takes other free dims from --dim', () => {
    expect(resolveInputs(paddle, { dims: { H: 48, W: 192 } })).toEqual([
      { name: 'x', dtype: 'float32', dims: [1, 3, 48, 192] },
    ]);
  });

  it('names every free dimension without a value (DIM_REQUIRED)', () => {
    let message = '';
    try {
      resolveInputs(paddle, { dims: { H: 48 } });
    } catch (err) {
      expect((err as AppError).code).toBe('DIM_REQUIRED');
      message = (err as AppError).message;
    }
    expect(message).toContain(
      "input 'x' has symbolic dimension 'W' (axis 3) with no value: set it with --dim W=<size>",
    );
    expect(message).not.toContain("'H'");
  });

  it('shares a batch symbol across inputs, and takes a whole --shape', () => {
    const two: TensorInfo[] = [
      { name: 'a', elemType: 'int64', shape: ['batch', 'seq'] },
      { name: 'b', elemType: 'bool', shape: ['seq', 'batch'] },
    ];
    expect(resolveInputs(two, { dims: { seq: 7 } })).toEqual([
      { name: 'a', dtype: 'int64', dims: [1, 7] },
      { name: 'b', dtype: 'bool', dims: [7, 1] },
    ]);
    expect(resolveInputs(paddle, { shapes: { x: [2, 3, 32, 100] } })[0]?.dims).toEqual([2, 3, 32, 100]);
  });

  it('refuses shapes that contradict the model and inputs it cannot feed', () => {
    expect(codeOf(() => resolveInputs(paddle, { shapes: { x: [1, 4, 32, 32] } }))).toBe('BAD_REQUEST');
    expect(codeOf(() => resolveInputs(paddle, { shapes: { y: [1] } }))).toBe('BAD_REQUEST');
    expect(codeOf(() => resolveInputs([{ name: 's', elemType: 'string', shape: [1] }]))).toBe(
      'MODEL_UNSUPPORTED',
    );
    expect(codeOf(() => resolveInputs([{ name: 'u', elemType: 'float32', shape: null }]))).toBe(
      'DIM_REQUIRED',
    );
    expect(codeOf(() => resolveInputs([{ name: 'u', elemType: 'float32', shape: [null, null] }]))).toBe(
      'DIM_REQUIRED',
    );
    expect(resolveInputs([{ name: 'u', elemType: 'float32', shape: [null, 5] }])[0]?.dims).toEqual([1, 5]);
  });
});

describe('CLI values', () => {
  it('parses --dim and --shape', () => {
    expect(parseDimArg('p2o.DynamicDimension.1=48')).toEqual(['p2o.DynamicDimension.1', 48]);
    expect(parseShapeArg('x=1,3,48,192')).toEqual(['x', [1, 3, 48, 192]]);
    expect(parseShapeArg('x=1x3x48x192')).toEqual(['x', [1, 3, 48, 192]]);
    expect(codeOf(() => parseDimArg('H=0'))).toBe('USAGE');
    expect(codeOf(() => parseDimArg('=4'))).toBe('USAGE');
    expect(codeOf(() => parseShapeArg('x=1,a'))).toBe('USAGE');
  });
});
