/**
 * Model preparation before static quantization: ORT's basic optimizations (BatchNorm folded into Conv,
 * constants folded), constant Mul/Add after a Conv folded into it, then the opset brought to 13 when that is safe,
 * hard-swish written out of elementwise ops fused into one HardSwish (opset 14) with the scalar affine after it
 * folded into the next Convs, then shape inference so every tensor to quantize has a known element type.
 */
import type { ModelProto } from 'onnx-buf';
import { AppError } from '../../../../shared/errors';
import { defaultOpsetVersion, inferShapes, type ValueShape } from '../../onnx';
import { foldConvAffine } from './fold-conv-affine';
import { fuseHardSwish, type HardSwishFusion } from './fuse-hard-swish';
import { ortBasicOptimize } from './ort-basic';
import { TARGET_OPSET, upgradeOpset, type OpsetUpgrade } from './opset-upgrade';

export { ortBasicOptimize, dropUnusedOpsetImports } from './ort-basic';
export { foldConvAffine } from './fold-conv-affine';
export { fuseHardSwish, type HardSwishFusion } from './fuse-hard-swish';
export { shiftsAsBatchNorm } from './shift-as-batch-norm';
export { upgradeOpset, TARGET_OPSET, type OpsetUpgrade } from './opset-upgrade';

/** QuantizeLinear/DequantizeLinear exist from opset 10; their `axis` (per-channel) from 13. */
const QDQ_MIN_OPSET = 10;
const PER_CHANNEL_MIN_OPSET = 13;

export type Preprocessed = {
  model: ModelProto;
  shapes: Map<string, ValueShape>;
  /** Default-domain opset of `model`. */
  opset: number;
  upgrade: OpsetUpgrade;
  /** Constant Mul/Add after a Conv folded into its weights. */
  foldedAffine: number;
  /** Hard-swish patterns fused into HardSwish, and scalar affines after them folded into Convs. */
  hardSwish: HardSwishFusion;
  /** Weights per channel: as asked, or for 'auto' whether the (upgraded) opset allows it. */
  perChannel: boolean;
  warnings: string[];
};

export async function preprocessForQdq(
  model: ModelProto,
  opts: { scratchDir: string; perChannel: boolean | 'auto' },
): Promise<Preprocessed> {
  const optimized = await ortBasicOptimize(model, opts.scratchDir);
  const foldedAffine = foldConvAffine(optimized);
  let shapes = inferShapes(optimized);
  const warnings: string[] = [];
  const upgrade = upgradeOpset(optimized, shapes);
  const hardSwish = fuseHardSwish(optimized);
  const opset = defaultOpsetVersion(optimized);
  if ((upgrade.ok && upgrade.to !== upgrade.from) || hardSwish.hardSwish > 0) shapes = inferShapes(optimized);
  if (!upgrade.ok) {
    const why = `${upgrade.reasons.slice(0, 5).join('; ')}${upgrade.reasons.length > 5 ? `; and ${upgrade.reasons.length - 5} more` : ''}`;
    if (opts.perChannel === true) {
      throw new AppError(
        'OPSET_TOO_OLD',
        `per-channel needs opset ≥ ${PER_CHANNEL_MIN_OPSET}; this model is opset ${opset} — use per-tensor (omit ` +
          `--per-channel), or export the model at opset ${PER_CHANNEL_MIN_OPSET}. It could not be upgraded ` +
          `automatically: ${why}.`,
        { opset, reasons: upgrade.reasons },
      );
    }
    if (opset < QDQ_MIN_OPSET) {
      throw new AppError(
        'OPSET_TOO_OLD',
        `Static INT8 (QuantizeLinear) needs opset ≥ ${QDQ_MIN_OPSET}; this model is opset ${opset} and could not be ` +
          `upgraded automatically: ${why}. Export the model at opset ${TARGET_OPSET}.`,
        { opset, reasons: upgrade.reasons },
      );
    }
    warnings.push(
      `Kept opset ${opset} (not upgraded to ${TARGET_OPSET}: ${why}); ONNX Runtime fuses fewer int8 kernels below ` +
        `opset ${TARGET_OPSET}` +
        (opts.perChannel === 'auto' ? ', and weights are per-tensor (per-channel needs 13).' : '.'),
    );
  }
  const perChannel = opts.perChannel === 'auto' ? opset >= PER_CHANNEL_MIN_OPSET : opts.perChannel;
  return { model: optimized, shapes, opset, upgrade, foldedAffine, hardSwish, perChannel, warnings };
}
