import type { TensorInfo } from '../../../shared/schemas/models';

/** Bytes in binary units (what file managers on Linux show): 1.2 MiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${trim(value)} ${units[unit]}`;
}

/** Large counts (parameters, MACs) in SI steps: 950, 12.3 k, 1.2 M, 4.5 G. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return '—';
  const steps: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of steps) {
    if (Math.abs(count) >= size) return `${trim(count / size)} ${suffix}`;
  }
  return String(Math.round(count));
}

/** Three significant digits at most, no trailing zeros: 1.2, 12.3, 123. */
function trim(value: number): string {
  const digits = value >= 100 ? 0 : 1;
  return String(Number(value.toFixed(digits)));
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** ISO timestamp from main → local date and time; the raw text if it does not parse. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** `1×3×32×32`, symbolic dims by name (`batch×3`), `?` for an unknown dim, `scalar` for rank 0. */
export function formatShape(shape: TensorInfo['shape']): string {
  if (shape === null) return 'unknown rank';
  if (shape.length === 0) return 'scalar';
  return shape.map((dim) => (dim === null ? '?' : String(dim))).join('×');
}

/** The version of the default ONNX domain ('' or 'ai.onnx'), which is what people call "the opset". */
export function defaultOpset(opsets: ReadonlyArray<{ domain: string; version: number }>): number | null {
  return opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? null;
}
