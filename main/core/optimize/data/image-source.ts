import { createHash } from 'node:crypto';
import { extname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { ImagePreprocess } from '../../../../shared/schemas/optimize';
import { AppError } from '../../../../shared/errors';
import { throwIfCancelled } from '../../jobs/job-manager';
import type { Sample } from '../types';
import { streamRange, withFile } from './data-stats';
import { readLabels } from './labels';
import { displayName, skippedWarning, LABEL_FILES, listFolder, type PathKind } from './listing';
import { describeExpected, type InputSpec } from './model-inputs';
import type { OpenContext } from './npy-source';
import { createDataSource, type DataSource } from './sample-source';

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
const isImage = (name: string) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());

/** How images become the model's input tensor: checked once against the model, applied to every image. */
type ImagePlan = {
  input: InputSpec;
  height: number;
  width: number;
  layout: 'NCHW' | 'NHWC';
  /** Source channel (0 = R, 1 = G, 2 = B) for each model channel. */
  channelFrom: [number, number, number];
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  dims: number[];
};

function perChannel(values: readonly number[], what: string): [number, number, number] {
  if (values.length === 1) return [values[0]!, values[0]!, values[0]!];
  if (values.length === 3) return [values[0]!, values[1]!, values[2]!];
  throw new AppError(
    'BAD_REQUEST',
    `Image ${what} needs 1 or 3 values (one per channel), not ${values.length}.`,
  );
}

/** Checks that the model takes one image-like input and fixes the tensor the images become. */
function planImages(inputs: readonly InputSpec[], pre: ImagePreprocess): ImagePlan {
  if (inputs.length !== 1) {
    throw new AppError(
      'DATA_SHAPE_MISMATCH',
      `Images feed a model with one image input, but this model has ${inputs.length} inputs ` +
        `(${inputs.map((i) => i.name).join(', ')}): give .npy data instead.`,
    );
  }
  const input = inputs[0]!;
  const nchw = pre.layout === 'NCHW';
  const expected = nchw ? '[1,3,H,W]' : '[1,H,W,3]';
  const refuse = (why: string) =>
    new AppError(
      'DATA_SHAPE_MISMATCH',
      `input '${input.name}' expects ${describeExpected(input)}; images preprocessed as ${pre.layout} give float32 ` +
        `${expected}. ${why}`,
      { input: input.name, expected: input.dims, layout: pre.layout },
    );
  if (input.type !== 'float32')
    throw refuse('Images are fed to float32 inputs only: give .npy data for this model.');
  const dims = input.dims;
  if (dims === null || dims.length !== 4)
    throw refuse('The input is not a rank-4 image tensor: give .npy data.');
  const [d0, d1, d2, d3] = dims as [unknown, unknown, unknown, unknown];
  const channels = nchw ? d1 : d3;
  if (typeof channels === 'number' && channels !== 3) {
    const other = nchw ? d3 : d1;
    throw refuse(
      other === 3
        ? `Set the layout to ${nchw ? 'NHWC' : 'NCHW'}.`
        : 'Only 3-channel (colour) inputs take images.',
    );
  }
  if (typeof d0 === 'number' && d0 !== 1)
    throw refuse('Images feed a batch of 1: the model needs a batch axis of 1 or symbolic.');
  const [mh, mw] = nchw ? [d2, d3] : [d1, d2];
  let height: number;
  let width: number;
  if (pre.resize) {
    [height, width] = pre.resize;
    if ((typeof mh === 'number' && mh !== height) || (typeof mw === 'number' && mw !== width)) {
      throw refuse(
        `The resize [${height},${width}] does not match the model's size [${String(mh)},${String(mw)}].`,
      );
    }
  } else if (typeof mh === 'number' && typeof mw === 'number') {
    [height, width] = [mh, mw];
  } else {
    throw refuse(
      "The model's height/width are symbolic: give the size with preprocess.resize [height, width].",
    );
  }
  const std = perChannel(pre.std, 'std');
  if (std.some((s) => s === 0 || !Number.isFinite(s)))
    throw new AppError('BAD_REQUEST', 'Image std values must be finite and non-zero.');
  return {
    input,
    height,
    width,
    layout: pre.layout,
    channelFrom: pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0],
    scale: pre.scale,
    mean: perChannel(pre.mean, 'mean'),
    std,
    dims: nchw ? [1, 3, height, width] : [1, height, width, 3],
  };
}

/**
 * 8-bit RGB pixels (row-major, 3 per pixel) → the model's tensor: channel order, then (pixel × scale − mean[c]) /
 * std[c] with c the model's channel, in NCHW or NHWC.
 */
function pixelsToTensorData(rgb: Uint8Array, plan: ImagePlan): Float32Array {
  const { height: h, width: w, channelFrom, scale, mean, std } = plan;
  const out = new Float32Array(3 * h * w);
  const plane = h * w;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = (rgb[p * 3 + channelFrom[c]!]! * scale - mean[c]!) / std[c]!;
      out[plan.layout === 'NCHW' ? c * plane + p : p * 3 + c] = v;
    }
  }
  return out;
}

/** Decodes one image to 8-bit sRGB at the plan's size (alpha dropped, grey expanded, EXIF rotation ignored). */
async function decodeImage(
  path: string,
  display: string,
  plan: ImagePlan,
  size: { width: number; height: number },
): Promise<Uint8Array> {
  try {
    let img = sharp(path, { failOn: 'error' }).removeAlpha().toColourspace('srgb');
    // Resampling an image that already has the size would only blur it.
    if (size.width !== plan.width || size.height !== plan.height) {
      img = img.resize(plan.width, plan.height, { fit: 'fill', kernel: 'linear' });
    }
    const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== plan.width || info.height !== plan.height) {
      throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    throw new AppError(
      'DATA_INVALID',
      `${display} cannot be decoded as an image (${(err as Error).message}): replace it.`,
    );
  }
}

/** A folder of PNG/JPEG images for a single image input; headers checked first, pixels decoded per sample. */
export async function openImageSource(
  root: string,
  kind: PathKind,
  pre: ImagePreprocess,
  ctx: OpenContext,
): Promise<DataSource> {
  const plan = planImages(ctx.inputs, pre);
  if (kind.kind !== 'dir') {
    throw new AppError(
      'DATA_INVALID',
      `${root} is a file: give the folder that holds the images (PNG or JPEG).`,
    );
  }
  const { files, dirs } = await listFolder(root);
  const images = files.filter(isImage);
  if (images.length === 0)
    throw new AppError('DATA_EMPTY', `${root} holds no PNG or JPEG images (.png, .jpg, .jpeg).`);
  const warnings: string[] = [];
  const skipped = skippedWarning(
    [...files.filter((f) => !isImage(f) && !LABEL_FILES.includes(f)), ...dirs],
    root,
    'not PNG/JPEG images',
  );
  if (skipped) warnings.push(skipped);
  const used = images.slice(0, ctx.maxSamples);
  const sizes: { width: number; height: number }[] = [];
  for (const name of used) {
    throwIfCancelled(ctx.signal);
    const display = displayName(root, name);
    let format: string | undefined;
    try {
      const meta = await sharp(join(root, name)).metadata();
      format = meta.format;
      sizes.push({ width: meta.width, height: meta.height });
    } catch (err) {
      throw new AppError(
        'DATA_INVALID',
        `${display} is not a readable image (${(err as Error).message}): replace it.`,
      );
    }
    if (format !== 'png' && format !== 'jpeg') {
      throw new AppError(
        'DATA_INVALID',
        `${display} holds a ${format ?? 'unknown'} image, not PNG or JPEG: convert it.`,
      );
    }
  }
  const at = (name: string) =>
    files.includes(name) ? { path: join(root, name), display: displayName(root, name) } : null;
  const labels = await readLabels({ csv: at('labels.csv'), txt: at('labels.txt') }, images, used.length);
  const digests = new Uint8Array(used.length * 32);
  for (const [i, name] of used.entries()) {
    throwIfCancelled(ctx.signal);
    const hash = createHash('sha256');
    const display = displayName(root, name);
    await withFile(ctx.stats, join(root, name), display, async (fh) => {
      await streamRange(fh, 0, (await fh.stat()).size, (c) => hash.update(c));
    });
    digests.set(hash.digest(), i * 32);
  }
  const load = async (index: number): Promise<Sample> => {
    const name = used[index]!;
    const rgb = await decodeImage(join(root, name), displayName(root, name), plan, sizes[index]!);
    return { [plan.input.name]: new ort.Tensor('float32', pixelsToTensorData(rgb, plan), plan.dims) };
  };
  return createDataSource({
    description: `${used.length} image${used.length === 1 ? '' : 's'} in ${root} (${plan.layout} ${plan.height}×${plan.width})`,
    layout: 'images',
    load,
    count: used.length,
    digests: { kind: 'files', digests },
    labels,
    warnings,
    stats: ctx.stats,
    random: false,
  });
}
