import type { Model } from '../../../../shared/schemas/models';
import { defaultOpset } from '../../lib/format';
import { AutoOptions, type TargetChoice } from './auto-options';
import { Fp16Options } from './fp16-options';
import { Int8DynamicOptions, Int8StaticOptions } from './int8-options';
import { PruneChannelsOptions, PruneWeightsOptions } from './prune-options';
import { checkTraining, type FormMethod, type OptimizeForm } from './optimize-form';
import { DistillOptions, QatOptions } from './training-options';

type MethodOptionsProps = {
  form: OptimizeForm;
  model: Model | undefined;
  onConfigs: (configs: OptimizeForm['configs']) => void;
  /** Hardware profiles for the auto search's speed target. */
  profiles?: readonly TargetChoice[];
  /** The library: distillation may pick an imported student. */
  models?: readonly Model[];
  disabled?: boolean;
};

/** Only the options of the chosen method, each with what it does and when to use it. */
export function MethodOptions({ form, model, onConfigs, profiles, models, disabled }: MethodOptionsProps) {
  const opTypes = model?.summary.opHistogram.map((o) => o.opType) ?? [];
  const opset = model ? defaultOpset(model.summary.opsets) : null;
  const set = <M extends FormMethod>(method: M, patch: Partial<OptimizeForm['configs'][M]>) =>
    onConfigs({ ...form.configs, [method]: { ...form.configs[method], ...patch } });

  switch (form.method) {
    case 'auto':
      return (
        <AutoOptions
          config={form.configs.auto}
          set={(p) => set('auto', p)}
          profiles={profiles}
          disabled={disabled}
        />
      );
    case 'int8-dynamic':
      return (
        <Int8DynamicOptions
          config={form.configs['int8-dynamic']}
          set={(p) => set('int8-dynamic', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'int8-static':
      return (
        <Int8StaticOptions
          config={form.configs['int8-static']}
          set={(p) => set('int8-static', p)}
          opTypes={opTypes}
          opset={opset}
          disabled={disabled}
        />
      );
    case 'fp16':
      return (
        <Fp16Options
          config={form.configs.fp16}
          set={(p) => set('fp16', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'prune-channels':
      return (
        <PruneChannelsOptions
          config={form.configs['prune-channels']}
          set={(p) => set('prune-channels', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'prune-weights':
      return (
        <PruneWeightsOptions
          config={form.configs['prune-weights']}
          set={(p) => set('prune-weights', p)}
          opTypes={opTypes}
          disabled={disabled}
        />
      );
    case 'distill':
      return (
        <DistillOptions
          config={form.configs.distill}
          set={(p) => set('distill', p)}
          models={models ?? []}
          teacherId={form.modelId ?? model?.id ?? null}
          error={checkTraining(form).student}
          disabled={disabled}
        />
      );
    case 'qat':
      return <QatOptions config={form.configs.qat} set={(p) => set('qat', p)} disabled={disabled} />;
  }
}
