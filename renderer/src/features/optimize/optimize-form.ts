import type { DataInput, Params, PickedFile } from '../../../../shared/contract';
import {
  fp16ConfigSchema,
  imagePreprocessSchema,
  int8DynamicConfigSchema,
  int8StaticConfigSchema,
  type Fp16Config,
  type ImagePreprocess,
  type Int8DynamicConfig,
  type Int8StaticConfig,
  type MethodOptions,
  type OptimizeMethod,
} from '../../../../shared/schemas/optimize';
import { modelNameSchema, type Model } from '../../../../shared/schemas/models';
import { defaultOpset } from '../../lib/format';

/**
 * Where calibration or evaluation data comes from, as the form holds it. Files are kept (web console) or
 * the dialog's reference (desktop), because main releases a data reference after each run: a re-run needs
 * a fresh one (upload again, or the dialog's path granted again).
 */
export type DataSource =
  | { origin: 'upload'; mode: 'file' | 'folder'; name: string; files: readonly File[]; sizeBytes: number }
  | { origin: 'dialog'; mode: 'file' | 'folder'; picked: PickedFile };

export type DataFormat = 'npy' | 'images';

/** Preprocessing as typed: free text, checked when the run is built. */
export type PreprocessForm = {
  resizeH: string;
  resizeW: string;
  layout: ImagePreprocess['layout'];
  channelOrder: ImagePreprocess['channelOrder'];
  scale: string;
  mean: string;
  std: string;
};

export type DataChoice =
  | { kind: 'none' }
  | { kind: 'random'; count: number; seed: number }
  | { kind: 'data'; source: DataSource | null; format: DataFormat; preprocess: PreprocessForm };

/** Methods this form offers; training methods (distill, qat) run from the CLI until the page has their fields. */
export type FormMethod = Exclude<OptimizeMethod, 'distill' | 'qat'>;

export type OptimizeForm = {
  modelId: string | null;
  method: FormMethod;
  /** Each method keeps its own options, so switching back and forth loses nothing. */
  configs: { 'int8-dynamic': Int8DynamicConfig; 'int8-static': Int8StaticConfig; fp16: Fp16Config };
  calibration: DataChoice;
  evaluation: DataChoice;
  name: string;
};

export const methodLabels: Record<OptimizeMethod, string> = {
  'int8-dynamic': 'INT8 dynamic',
  'int8-static': 'INT8 static',
  fp16: 'FP16',
  distill: 'Distillation',
  qat: 'INT8 QAT',
};

export const methodHelp: Record<OptimizeMethod, string> = {
  'int8-dynamic':
    'Weights of MatMul/Gemm to int8; activations are quantized on the fly. No calibration data needed. Best for transformers and MLPs.',
  'int8-static':
    'Weights and activations to int8 (QDQ), with activation ranges measured on calibration data. Best for conv nets: about 4× smaller and faster.',
  fp16: 'Weights and internal tensors to float16: about half the size, nearly the same answers. No speed-up on x86 CPUs.',
  distill: 'Trains a student model (narrower or the same) to reproduce this model’s outputs on your data.',
  qat: 'Static INT8, then fine-tuned with the FP32 model as teacher: recovers accuracy post-training INT8 loses.',
};

export function defaultPreprocess(): PreprocessForm {
  const d = imagePreprocessSchema.parse({});
  return {
    resizeH: '',
    resizeW: '',
    layout: d.layout,
    channelOrder: d.channelOrder,
    scale: '1/255',
    mean: d.mean.join(', '),
    std: d.std.join(', '),
  };
}

export function emptyData(): DataChoice {
  return { kind: 'data', source: null, format: 'npy', preprocess: defaultPreprocess() };
}

export function defaultForm(modelId: string | null = null): OptimizeForm {
  return {
    modelId,
    method: 'int8-static',
    configs: {
      'int8-dynamic': int8DynamicConfigSchema.parse({}),
      'int8-static': int8StaticConfigSchema.parse({}),
      fp16: fp16ConfigSchema.parse({}),
    },
    calibration: emptyData(),
    evaluation: { kind: 'none' },
    name: '',
  };
}

/** Only static INT8 calibrates; the others ignore calibration data. */
export function usesCalibration(method: OptimizeMethod): boolean {
  return method === 'int8-static';
}

const imagePattern = /\.(png|jpe?g)$/i;

/** Guesses the data format from the file names: images when there are images and no .npy. */
export function detectFormat(fileNames: readonly string[]): DataFormat {
  const npy = fileNames.some((n) => /\.npy$/i.test(n));
  const images = fileNames.some((n) => imagePattern.test(n));
  return images && !npy ? 'images' : 'npy';
}

/** "1/255", "0.0039", "2" → number; null when it is not one. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  const fraction = /^([-+]?\d*\.?\d+)\s*\/\s*(\d*\.?\d+)$/.exec(t);
  if (fraction) {
    const value = Number(fraction[1]) / Number(fraction[2]);
    return Number.isFinite(value) ? value : null;
  }
  if (t === '') return null;
  const value = Number(t);
  return Number.isFinite(value) ? value : null;
}

/** "0.485, 0.456, 0.406" → numbers; null when any part is not a number. */
export function parseNumberList(text: string): number[] | null {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return null;
  const values = parts.map(parseNumber);
  return values.every((v): v is number => v !== null) ? values : null;
}

export type PreprocessCheck =
  { value: ImagePreprocess; errors: null } | { value: null; errors: PreprocessErrors };
export type PreprocessErrors = Partial<Record<keyof PreprocessForm, string>>;

/** Checks typed preprocessing fields; errors are per field, worded for the field's label. */
export function checkPreprocess(form: PreprocessForm): PreprocessCheck {
  const errors: PreprocessErrors = {};
  let resize: [number, number] | undefined;
  const h = form.resizeH.trim();
  const w = form.resizeW.trim();
  if (h !== '' || w !== '') {
    const hv = Number(h);
    const wv = Number(w);
    if (!Number.isInteger(hv) || hv <= 0) errors.resizeH = 'a whole number of pixels, or leave both empty';
    if (!Number.isInteger(wv) || wv <= 0) errors.resizeW = 'a whole number of pixels, or leave both empty';
    resize = [hv, wv];
  }
  const scale = parseNumber(form.scale);
  if (scale === null || scale <= 0) errors.scale = 'a positive number, e.g. 1/255';
  const mean = parseNumberList(form.mean);
  if (mean === null || (mean.length !== 1 && mean.length !== 3)) errors.mean = 'one or three numbers';
  const std = parseNumberList(form.std);
  if (std === null || (std.length !== 1 && std.length !== 3)) errors.std = 'one or three numbers';
  else if (std.some((s) => s === 0)) errors.std = 'must not be 0';
  if (Object.keys(errors).length > 0) return { value: null, errors };
  const spread = (v: number[]) => (v.length === 1 ? [v[0]!, v[0]!, v[0]!] : v);
  return {
    value: imagePreprocessSchema.parse({
      resize,
      layout: form.layout,
      channelOrder: form.channelOrder,
      scale,
      mean: spread(mean!),
      std: spread(std!),
    }),
    errors: null,
  };
}

/** The optional variant name, checked by the contract's own schema. */
export function checkName(raw: string): { name: string | undefined; error: string | null } {
  if (raw.trim() === '') return { name: undefined, error: null };
  const parsed = modelNameSchema.safeParse(raw);
  return parsed.success
    ? { name: parsed.data, error: null }
    : { name: undefined, error: parsed.error.issues[0]?.message ?? 'invalid name' };
}

/** Why the form cannot run yet (first problem), or null when it can. */
export function blocker(form: OptimizeForm, model: Model | undefined): string | null {
  if (!form.modelId || !model) return 'Pick a model to optimize.';
  if (checkName(form.name).error) return 'Fix the name, or leave it empty.';
  const needCalibration = usesCalibration(form.method);
  if (needCalibration) {
    if (form.calibration.kind === 'none') return 'Static INT8 needs calibration data (or random samples).';
    const problem = dataProblem(form.calibration, 'calibration');
    if (problem) return problem;
  }
  const evalProblem = dataProblem(form.evaluation, 'evaluation');
  if (evalProblem) return evalProblem;
  if (form.method === 'int8-static' && form.configs['int8-static'].perChannel) {
    const opset = defaultOpset(model.summary.opsets);
    if (opset !== null && opset < 13) {
      return `Per-channel needs opset ≥ 13; this model has opset ${opset}. Turn per-channel off.`;
    }
  }
  return null;
}

function dataProblem(choice: DataChoice, what: string): string | null {
  if (choice.kind !== 'data') return null;
  if (!choice.source) return `Choose the ${what} data (a folder or an .npy file), or pick another option.`;
  if (choice.format === 'images' && checkPreprocess(choice.preprocess).errors) {
    return `Fix the ${what} image preprocessing fields.`;
  }
  return null;
}

/** The method and its options, as the contract takes them. */
export function methodOptions(form: OptimizeForm): MethodOptions {
  switch (form.method) {
    case 'int8-dynamic':
      return { method: 'int8-dynamic', config: form.configs['int8-dynamic'] };
    case 'int8-static':
      return { method: 'int8-static', config: form.configs['int8-static'] };
    case 'fp16':
      return { method: 'fp16', config: form.configs.fp16 };
  }
}

/** One data choice as the contract takes it, once a file reference for it exists. */
export function toDataInput(choice: DataChoice, fileRef: string | null): DataInput | undefined {
  if (choice.kind === 'none') return undefined;
  if (choice.kind === 'random') return { kind: 'random', count: choice.count, seed: choice.seed };
  if (fileRef === null) return undefined;
  if (choice.format === 'npy') return { kind: 'npy', fileRef };
  const checked = checkPreprocess(choice.preprocess);
  if (!checked.value) return undefined;
  return { kind: 'images', fileRef, preprocess: checked.value };
}

/** The whole `optimize.run` request; calibration only for methods that calibrate. */
export function buildRunParams(
  form: OptimizeForm & { modelId: string },
  refs: { calibration: string | null; evaluation: string | null },
): Params<'optimize.run'> {
  const { name } = checkName(form.name);
  const calibration = usesCalibration(form.method)
    ? toDataInput(form.calibration, refs.calibration)
    : undefined;
  const evaluation = toDataInput(form.evaluation, refs.evaluation);
  return {
    model: form.modelId,
    options: methodOptions(form),
    ...(name === undefined ? {} : { name }),
    ...(calibration ? { calibration } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

/** Adds entries to the current method's exclude list (no duplicates). */
export function withExclusions(form: OptimizeForm, add: readonly string[]): OptimizeForm {
  const config = form.configs[form.method];
  const exclude = [...new Set([...config.exclude, ...add])];
  return { ...form, configs: { ...form.configs, [form.method]: { ...config, exclude } } };
}
