import type { HardwareProfile } from '../../../../shared/schemas/bench';

/** ISA features that decide what runs fast (int8 dot products, fp16 arithmetic, wide vectors). */
const keyFeatures = new Set(['neon', 'dotprod', 'fp16', 'i8mm', 'avx2', 'avx512f', 'vnni', 'amx']);

/** A profile's figure with at most `digits` decimals and no trailing zeros; '—' when the profile lacks it. */
export function profileFigure(x: number | undefined, digits = 1): string {
  return x === undefined ? '—' : Number(x.toFixed(digits)).toString();
}

/** Only the features that change a speed estimate, so the column stays one short line. */
export function speedFeatures(features: readonly string[]): string {
  return features.filter((f) => keyFeatures.has(f)).join(' ') || '—';
}

export const originLabels: Record<HardwareProfile['origin'], string> = {
  builtin: 'built-in',
  user: 'yours',
  measured: 'measured',
};

export const originColors = { builtin: 'gray', user: 'grape', measured: 'teal' } as const;
