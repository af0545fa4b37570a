import type { NodeProto } from 'onnx-buf';
import { AppError } from '../../../shared/errors';
import type { tf } from './tf';

type OpContext = {
  /** Version of the default ONNX domain: some ops changed meaning (Softmax axis) or moved attributes to inputs. */
  opset: number;
};

/** One ONNX op as tfjs ops. Absent optional inputs are undefined; the result lists the node's outputs. */
export type OpImpl = (
  node: NodeProto,
  inputs: readonly (tf.Tensor | undefined)[],
  ctx: OpContext,
) => tf.Tensor[];

export function nodeLabel(node: NodeProto): string {
  return `'${node.name || node.output[0] || '?'}' (${node.opType})`;
}

/** A node whose op is known but whose attributes ask for something the engine does not do. */
export function refuse(node: NodeProto, what: string): never {
  throw new AppError(
    'TRAIN_UNSUPPORTED_OP',
    `Node ${nodeLabel(node)} ${what}, which the training engine does not support.`,
    { node: node.name, opType: node.opType },
  );
}
