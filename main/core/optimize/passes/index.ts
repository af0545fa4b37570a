import type { OptimizeMethod } from '../../../../shared/schemas/optimize';
import type { Pass } from '../types';
import { fp16Pass } from './fp16';
import { int8DynamicPass } from './int8-dynamic';
import { int8StaticPass } from './int8-static';
import { pruneChannelsPass, pruneWeightsPass } from '../prune';
import { distillPass, qatPass } from '../../train/distill-pass';

/** Every pass by method name. Configs are parsed by the request schema before a pass sees them. */
export const passes: { [M in OptimizeMethod]: Pass<never> } = {
  'int8-dynamic': int8DynamicPass as Pass<never>,
  'int8-static': int8StaticPass as Pass<never>,
  fp16: fp16Pass as Pass<never>,
  'prune-channels': pruneChannelsPass as Pass<never>,
  'prune-weights': pruneWeightsPass as Pass<never>,
  distill: distillPass as Pass<never>,
  qat: qatPass as Pass<never>,
};
