import type { DataInput, Params, PickedFile } from '../../../../shared/contract';
import { goalProblem } from '../../../../shared/goal';
import {
  autoConfigSchema,
  distillConfigSchema,
  FEW_TRAINING_SAMPLES,
  fp16ConfigSchema,
  imagePreprocessSchema,
  int8DynamicConfigSchema,
  int8StaticConfigSchema,
  qatConfigSchema,
  type AutoConfig,
  type DistillConfig,
  type Fp16Config,
  type ImagePreprocess,
  type Int8DynamicConfig,
  type Int8StaticConfig,
  type MethodOptions,
  type OptimizeMethod,
  type QatConfig,
} from '../../../../shared/schemas/optimize';
import { modelNameSchema, type Model } from '../../../../shared/schemas/models';
import {
  pruneChannelsConfigSchema,
  pruneWeightsConfigSchema,
  type PruneChannelsConfig,
  type PruneWeightsConfig,
} from '../../../../shared/schemas/prune';

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

/** The single passes (training ones included) plus the auto search (which tries them, mixes them and keeps the best). */
export type FormMethod = OptimizeMethod | 'auto';

export type OptimizeForm = {
  modelId: string | null;
  method: FormMethod;
  /** Each method keeps its own options, so switching back and forth loses nothing. */
  configs: {
    auto: AutoConfig;
    'int8-dynamic': Int8DynamicConfig;
    'int8-static': Int8StaticConfig;
    fp16: Fp16Config;
    'prune-channels': PruneChannelsConfig;
    'prune-weights': PruneWeightsConfig;
    distill: DistillConfig;
    qat: QatConfig;
  };
  /** For distill and qat, the training data (the last 20 % held out for fidelity unless evaluation data is given). */
  calibration: DataChoice;
  evaluation: DataChoice;
  name: string;
};

export const methodLabels: Record<FormMethod, string> = {
  auto: 'Auto (recommended)',
  'int8-dynamic': 'INT8 dynamic',
  'int8-static': 'INT8 static',
  fp16: 'FP16',
  'prune-channels': 'Prune channels',
  'prune-weights': 'Prune weights',
  distill: 'Distill',
  qat: 'QAT (INT8 fine-tune)',
};

/** What the run button says. */
export const runLabels: Record<FormMethod, string> = {
  auto: 'Run auto search',
  'int8-dynamic': 'Run INT8 dynamic',
  'int8-static': 'Run INT8 static',
  fp16: 'Run FP16',
  'prune-channels': 'Prune channels',
  'prune-weights': 'Prune weights',
  distill: 'Run distillation',
  qat: 'Run QAT',
};

export const methodHelp: Record<FormMethod, string> = {
  auto: 'Tries static INT8 (per-channel, mixed with float where a node is sensitive or its int8 kernel is slower), dynamic INT8, INT8-stored weights with float compute, and FP16 on the graph prepared as ONNX Runtime runs it, measures each on this machine, and keeps the fastest that meets your goal — never one slower than the parent. Every candidate is reported.',
  'int8-dynamic':
    'Weights of MatMul/Gemm to int8; activations are quantized on the fly. No calibration data needed. Best for transformers and MLPs.',
  'int8-static':
    'Weights and activations to int8 (QDQ), with activation ranges measured on calibration data. Best for conv nets: about 4× smaller and faster.',
  fp16: 'Weights and internal tensors to float16: about half the size, nearly the same answers. No speed-up on x86 CPUs.',
  'prune-channels':
    'Removes whole channels (filters) of conv and dense layers: a dense, smaller model with fewer MACs that runs faster everywhere. Check the fidelity: accuracy drops without fine-tuning.',
  'prune-weights':
    'Zeroes the smallest weights: the file compresses much smaller (gzip, zstd), but ONNX Runtime on CPU runs it no faster.',
  distill:
    'Trains a student (a narrower copy of this model, or another imported model) to answer like this model on your data, in the app. Unlabelled samples are enough; labels add cross-entropy.',
  qat: 'Static INT8 whose weights are then fine-tuned behind fake quantization, with this model as teacher: recovers accuracy that post-training INT8 loses.',
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
    // Auto is the default: the user should not have to guess method, calibrator and exclusions.
    method: 'auto',
    configs: {
      auto: autoConfigSchema.parse({}),
      'int8-dynamic': int8DynamicConfigSchema.parse({}),
      'int8-static': int8StaticConfigSchema.parse({}),
      fp16: fp16ConfigSchema.parse({}),
      'prune-channels': pruneChannelsConfigSchema.parse({ ratio: 0.3 }),
      'prune-weights': pruneWeightsConfigSchema.parse({ sparsity: 0.8 }),
      // A narrower copy is what people distil for: half the channels, about a quarter of the MACs.
      distill: distillConfigSchema.parse({ student: 'width:0.5' }),
      qat: qatConfigSchema.parse({}),
    },
    calibration: emptyData(),
    evaluation: { kind: 'none' },
    name: '',
  };
}

/**
 * Static INT8 calibrates, and so does the auto search (static INT8 is among its candidates); channel pruning
 * takes data optionally (channel means for bias compensation, the sensitivity scan); the others ignore it.
 */
export function usesCalibration(method: FormMethod): boolean {
  return method === 'int8-static' || method === 'auto' || method === 'prune-channels' || isTraining(method);
}

/** Methods that train in the app (live loss/fidelity, cancel keeps the best epoch). */
/** Channel pruning followed by distillation from the unpruned model: its data is then training data. */
export function pruneFineTunes(form: Pick<OptimizeForm, 'method' | 'configs'>): boolean {
  return form.method === 'prune-channels' && form.configs['prune-channels'].fineTune;
}

export function isTraining(method: FormMethod): method is 'distill' | 'qat' {
  return method === 'distill' || method === 'qat';
}

/** How many samples a data choice holds when the form can tell (random count, files of a folder), else null. */
function sampleCount(choice: DataChoice): number | null {
  if (choice.kind === 'random') return choice.count;
  if (choice.kind !== 'data' || !choice.source || choice.source.origin !== 'upload') return null;
  if (choice.source.mode !== 'folder') return null;
  const pattern = choice.format === 'images' ? imagePattern : /\.npy$/i;
  return choice.source.files.filter((f) => pattern.test(f.name)).length;
}

/** The form's warning for too little training data, with the count (the core warns the same in the report). */
export function fewSamplesWarning(form: OptimizeForm): string | null {
  if (!isTraining(form.method)) return null;
  const n = sampleCount(form.calibration);
  if (n === null || n >= FEW_TRAINING_SAMPLES) return null;
  return `Only ${n} training sample${n === 1 ? '' : 's'}: the student may overfit (${FEW_TRAINING_SAMPLES}+ are advised), and 20 % are held out to measure fidelity.`;
}

type TrainingErrors = Partial<Record<'student' | 'config', string>>;

/** Problems of the distill/qat options, checked by the contract's own schemas (and the student's form). */
export function checkTraining(form: OptimizeForm): TrainingErrors {
  if (form.method === 'distill') {
    const config = form.configs.distill;
    const errors: TrainingErrors = {};
    const width = /^width:(.*)$/.exec(config.student);
    if (width) {
      const f = Number(width[1]);
      if (!(f > 0 && f <= 1)) errors.student = 'The width must be more than 0 % and at most 100 %.';
    } else if (config.student === 'model:') errors.student = 'Pick the student model.';
    const parsed = distillConfigSchema.safeParse(config);
    if (!parsed.success) errors.config = issueText(parsed.error.issues[0]);
    return errors;
  }
  if (form.method === 'qat') {
    const parsed = qatConfigSchema.safeParse(form.configs.qat);
    return parsed.success ? {} : { config: issueText(parsed.error.issues[0]) };
  }
  return {};
}

function issueText(issue: { path: PropertyKey[]; message: string } | undefined): string {
  return issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid options';
}

/** Node names forced both ways: the search could honour neither. */
function forcedBothWays(config: AutoConfig): string[] {
  const int8 = new Set(config.forceInt8);
  return config.forceFloat.filter((n) => int8.has(n));
}

type AutoConfigErrors = { goal?: string; budgetMinutes?: string; forced?: string };

/** Per-field problems of the auto options, worded for the field; empty when they are fine. */
export function checkAutoConfig(config: AutoConfig): AutoConfigErrors {
  const errors: AutoConfigErrors = {};
  const goal = goalProblem(config.goal);
  if (goal !== null) errors.goal = `Cannot read this goal: ${goal}.`;
  const budget = autoConfigSchema.shape.budgetMinutes.safeParse(config.budgetMinutes);
  if (!budget.success || !Number.isFinite(config.budgetMinutes)) {
    errors.budgetMinutes = 'More than 0 and at most 1440 minutes.';
  }
  const both = forcedBothWays(config);
  if (both.length > 0) errors.forced = `Forced both float and int8: ${both.join(', ')}.`;
  return errors;
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
function parseNumberList(text: string): number[] | null {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return null;
  const values = parts.map(parseNumber);
  return values.every((v): v is number => v !== null) ? values : null;
}

type PreprocessCheck = { value: ImagePreprocess; errors: null } | { value: null; errors: PreprocessErrors };
type PreprocessErrors = Partial<Record<keyof PreprocessForm, string>>;

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
    const fineTune = pruneFineTunes(form);
    const required =
      form.method === 'int8-static' || form.method === 'auto' || isTraining(form.method) || fineTune;
    if (required && form.calibration.kind === 'none') {
      return fineTune
        ? 'Fine-tuning needs training data (a folder, an .npy file or random samples).'
        : `${form.method === 'auto' ? 'The auto search' : 'Static INT8'} needs calibration data (or random samples).`;
    }
    if (
      (isTraining(form.method) || fineTune) &&
      form.calibration.kind === 'data' &&
      !form.calibration.source
    ) {
      return 'Choose the training data (a folder or an .npy file; labels optional).';
    }
    // Optional data not chosen yet counts as none.
    const unset = !required && form.calibration.kind === 'data' && !form.calibration.source;
    const problem = unset ? null : dataProblem(form.calibration, 'calibration');
    if (problem) return problem;
  }
  const evalProblem = dataProblem(form.evaluation, 'evaluation');
  if (evalProblem) return evalProblem;
  if (form.method === 'auto') {
    const errors = checkAutoConfig(form.configs.auto);
    if (errors.goal) return 'Fix the goal (see the grammar under it).';
    if (errors.budgetMinutes) return 'Fix the time budget.';
    if (errors.forced) return 'A node cannot be forced both float and int8.';
  }
  const training = checkTraining(form);
  if (training.student) return training.student;
  if (training.config) return `Fix the training options (${training.config}).`;
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
    case 'auto': {
      const config = form.configs.auto;
      return { method: 'auto', config: { ...config, goal: config.goal.trim() } };
    }
    case 'int8-dynamic':
      return { method: 'int8-dynamic', config: form.configs['int8-dynamic'] };
    case 'int8-static':
      return { method: 'int8-static', config: form.configs['int8-static'] };
    case 'fp16':
      return { method: 'fp16', config: form.configs.fp16 };
    case 'prune-channels':
      return { method: 'prune-channels', config: form.configs['prune-channels'] };
    case 'prune-weights':
      return { method: 'prune-weights', config: form.configs['prune-weights'] };
    case 'distill':
      return { method: 'distill', config: form.configs.distill };
    case 'qat':
      return { method: 'qat', config: form.configs.qat };
  }
}

/** One data choice as the contract takes it, once a file reference for it exists. */
function toDataInput(choice: DataChoice, fileRef: string | null): DataInput | undefined {
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
    name,
    ...(calibration ? { calibration } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

/** Adds entries to the current method's exclude list (no duplicates); auto has none (it takes overrides). */
export function withExclusions(form: OptimizeForm, add: readonly string[]): OptimizeForm {
  if (form.method === 'auto' || form.method === 'distill') return form;
  const config = form.configs[form.method];
  const exclude = [...new Set([...config.exclude, ...add])];
  return { ...form, configs: { ...form.configs, [form.method]: { ...config, exclude } } };
}

/** What the current method leaves in float by the user's choice (shown with a result). */
export function userExclusions(form: OptimizeForm): string[] {
  if (form.method === 'distill') return [];
  return form.method === 'auto' ? form.configs.auto.forceFloat : form.configs[form.method].exclude;
}

/** An auto run's form with new per-node overrides, everything else (data, goal, budget) as it was. */
export function withOverrides(
  form: OptimizeForm,
  overrides: { forceFloat: readonly string[]; forceInt8: readonly string[] },
): OptimizeForm {
  const auto = {
    ...form.configs.auto,
    forceFloat: [...overrides.forceFloat],
    forceInt8: [...overrides.forceInt8],
  };
  return { ...form, method: 'auto', name: '', configs: { ...form.configs, auto } };
}
