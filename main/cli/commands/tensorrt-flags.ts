import { Option, type Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { tensorrtPrecisionSchema, type TensorrtBuildInput } from '../../../shared/schemas/deploy';

/**
 * `--tensorrt [fp32|fp16|int8|best]` and `--dla-core <n>`, shared by `deploy` (build the engine on each device
 * after the verified upload) and `bench --device` (measure with trtexec next to ONNX Runtime). Without a value
 * `--tensorrt` means fp16; `int8` needs a QDQ model (an int8-static variant).
 */
export type TensorrtFlags = { tensorrt?: string | boolean; dlaCore?: string };

export function withTensorrtOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(
      new Option(
        '--tensorrt [precision]',
        `${what} with NVIDIA TensorRT's trtexec: fp32, fp16 (the default), int8 (an int8-static QDQ variant) or best`,
      ),
    )
    .addOption(
      new Option('--dla-core <n>', 'build and run the engine on this DLA core (Jetson Xavier, Orin)'),
    );
}

/** The flags as the core's build settings; null without --tensorrt. Bad values are usage errors (exit 2). */
export function tensorrtFromFlags(
  flags: TensorrtFlags,
): Required<Pick<TensorrtBuildInput, 'precision' | 'dlaCore'>> | null {
  if (flags.tensorrt === undefined || flags.tensorrt === false) {
    if (flags.dlaCore !== undefined) throw new AppError('USAGE', '--dla-core needs --tensorrt.');
    return null;
  }
  const precision = tensorrtPrecisionSchema.safeParse(flags.tensorrt === true ? 'fp16' : flags.tensorrt);
  if (!precision.success) {
    throw new AppError(
      'USAGE',
      `--tensorrt: "${String(flags.tensorrt)}" is not a precision; use fp32, fp16, int8 or best.`,
    );
  }
  let dlaCore: number | null = null;
  if (flags.dlaCore !== undefined) {
    if (!/^\d+$/.test(flags.dlaCore) || Number(flags.dlaCore) > 15) {
      throw new AppError('USAGE', `--dla-core expects a core number from 0 to 15, not "${flags.dlaCore}".`);
    }
    dlaCore = Number(flags.dlaCore);
  }
  return { precision: precision.data, dlaCore };
}
