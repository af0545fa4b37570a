import {
  autoConfigSchema,
  distillConfigSchema,
  fp16ConfigSchema,
  int8DynamicConfigSchema,
  int8StaticConfigSchema,
  qatConfigSchema,
  recipeSchema,
  type MethodOptions,
} from '../../../../shared/schemas/optimize';
import type { Model } from '../../../../shared/schemas/models';
import type { OptimizeForm } from './optimize-form';
import { pruneChannelsConfigSchema, pruneWeightsConfigSchema } from '../../../../shared/schemas/prune';

/** Router state that opens the Optimize page with a method and its options filled in. */
export type OptimizePreset = MethodOptions;

/** `/optimize?model=<id>`: the Optimize page with this model picked. */
export function optimizePath(modelId: string): string {
  return `/optimize?model=${encodeURIComponent(modelId)}`;
}

/** Reads a preset from router state (untyped by nature); null when there is none or it does not parse. */
export function readPreset(state: unknown): OptimizePreset | null {
  if (typeof state !== 'object' || state === null || !('preset' in state)) return null;
  const preset = (state as { preset: unknown }).preset;
  if (typeof preset !== 'object' || preset === null) return null;
  const { method, config } = preset as { method?: unknown; config?: unknown };
  switch (method) {
    case 'auto': {
      // An auto variant's recipe adds which candidate it is (candidate, kind, floatNodes): not options.
      const options = typeof config === 'object' && config !== null ? { ...config } : config;
      if (typeof options === 'object' && options !== null) {
        for (const key of ['candidate', 'kind', 'floatNodes'])
          delete (options as Record<string, unknown>)[key];
      }
      const parsed = autoConfigSchema.safeParse(options);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    case 'int8-dynamic': {
      const parsed = int8DynamicConfigSchema.safeParse(config);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    case 'int8-static': {
      const parsed = int8StaticConfigSchema.safeParse(config);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    case 'fp16': {
      const parsed = fp16ConfigSchema.safeParse(config);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    case 'prune-channels': {
      const parsed = pruneChannelsConfigSchema.safeParse(config);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    case 'prune-weights': {
      const parsed = pruneWeightsConfigSchema.safeParse(config);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    case 'distill': {
      const parsed = distillConfigSchema.safeParse(config);
      if (!parsed.success) return null;
      // A student given as a file path (the CLI) cannot be named from the window: the form asks to pick one.
      const student = parsed.data.student;
      const named = student === 'self' || student.startsWith('width:') || student.startsWith('model:');
      return { method, config: { ...parsed.data, student: named ? student : 'model:' } };
    }
    case 'qat': {
      const parsed = qatConfigSchema.safeParse(config);
      return parsed.success ? { method, config: parsed.data } : null;
    }
    default:
      return null;
  }
}

/** Random calibration as a variant's recipe recorded it: a re-run can use it again (data files cannot be). */
export type RandomCalibration = { kind: 'random'; count: number; seed: number };

export function randomCalibrationFromRecipe(model: Model): RandomCalibration | null {
  const recipe = recipeSchema.safeParse(model.recipe);
  const spec = recipe.success ? recipe.data.calibration?.spec : undefined;
  return spec?.kind === 'random' ? { kind: 'random', count: spec.count, seed: spec.seed } : null;
}

/** Reads the random calibration a link carries in router state, if any. */
export function readRandomCalibration(state: unknown): RandomCalibration | null {
  if (typeof state !== 'object' || state === null || !('calibration' in state)) return null;
  const c = (state as { calibration: unknown }).calibration as Partial<RandomCalibration> | null;
  if (c?.kind !== 'random' || !Number.isInteger(c.count) || !Number.isInteger(c.seed)) return null;
  return { kind: 'random', count: c.count!, seed: c.seed! };
}

/** A variant's recipe as a preset, to tune it and run again on its parent; null when it has none. */
export function presetFromRecipe(model: Model): OptimizePreset | null {
  const recipe = recipeSchema.safeParse(model.recipe);
  if (!recipe.success) return null;
  return readPreset({ preset: { method: recipe.data.method, config: recipe.data.config } });
}

/**
 * The form a link opens: the linked model picked, and the method with its options and random calibration
 * when the router state carries them (anything that does not parse is ignored, the rest of the form kept).
 */
export function formFromLink(form: OptimizeForm, modelId: string, state: unknown): OptimizeForm {
  const preset = readPreset(state);
  const calibration = readRandomCalibration(state);
  return {
    ...form,
    modelId,
    ...(preset
      ? { method: preset.method, configs: { ...form.configs, [preset.method]: preset.config } }
      : {}),
    ...(calibration ? { calibration } : {}),
  };
}
