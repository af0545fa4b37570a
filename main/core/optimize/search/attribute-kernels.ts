/**
 * Traces ORT's kernels back to the quantizable nodes ("anchors") of the model we wrote. ORT renames what it
 * fuses: a QLinearConv is `<Conv name>_token_N`, an NCHWc float Conv is `<its output tensor>_nchwc`, a
 * QuantizeLinear is `<tensor>_QuantizeLinear`. Each kernel's name, outputs and inputs are stripped of those
 * suffixes until one is a node or tensor name of our model; from there the cost goes to the anchor it serves:
 * the anchor itself, the anchor whose output an activation/DequantizeLinear follows, or, for a
 * QuantizeLinear, the anchors that read its tensor (the Q exists because they want int8 input).
 */
import type { ModelProto, NodeProto } from 'onnx-buf';
import { consumerMap, producerMap } from '../../onnx';
import type { KernelTime } from './node-profile';

type Attribution = {
  /** Anchor name → microseconds per run attributed to it. */
  perAnchor: Map<string, number>;
  /** Kernels that could not be traced to an anchor (shared overhead: input reorders, inlined functions …). */
  unattributedUs: number;
  totalUs: number;
};

const SUFFIXES = [
  /_kernel_time$/,
  /_token_\d+$/,
  /_nchwc$/,
  /_(QuantizeLinear|DequantizeLinear)(_Output)?(_\d+)?$/,
  /_quantized$/,
  /_(output|Output)_\d+$/,
];

function* strippedForms(name: string): Generator<string> {
  let current = name;
  for (let guard = 0; guard < 8 && current !== ''; guard++) {
    yield current;
    const next = SUFFIXES.reduce((s, re) => s.replace(re, ''), current);
    if (next === current) return;
    current = next;
  }
}

/** How many producer steps an anchor's cost may be followed back (activation chains like HardSigmoid → Mul). */
const MAX_CLIMB = 4;

export function attributeKernels(
  kernels: readonly KernelTime[],
  model: ModelProto,
  anchors: ReadonlySet<string>,
): Attribution {
  const graph = model.graph!;
  const byName = new Map<string, NodeProto>();
  for (const n of graph.node) if (n.name !== '') byName.set(n.name, n);
  const producers = producerMap(graph);
  const consumers = consumerMap(graph);

  const climb = (start: NodeProto): string | undefined => {
    let node: NodeProto | undefined = start;
    for (let i = 0; node && i <= MAX_CLIMB; i++) {
      if (anchors.has(node.name)) return node.name;
      node = producers.get(node.input[0] ?? '');
    }
    return undefined;
  };
  const anchorsReading = (tensor: string): string[] =>
    (consumers.get(tensor) ?? []).map((c) => c.name).filter((n) => anchors.has(n));

  const perAnchor = new Map<string, number>();
  const add = (anchor: string, us: number) => perAnchor.set(anchor, (perAnchor.get(anchor) ?? 0) + us);
  let unattributedUs = 0;
  let totalUs = 0;
  for (const k of kernels) {
    totalUs += k.us;
    const targets = resolve(k);
    if (targets.length === 0) unattributedUs += k.us;
    else for (const t of targets) add(t, k.us / targets.length);
  }
  return { perAnchor, unattributedUs, totalUs };

  function resolve(k: KernelTime): string[] {
    const isQuantize = k.opType === 'QuantizeLinear';
    for (const key of [k.node, ...k.outputs, ...k.inputs]) {
      for (const form of strippedForms(key)) {
        const node = byName.get(form);
        if (node) {
          const a = climb(node);
          if (a) return [a];
        }
        if (isQuantize) {
          const readers = anchorsReading(form);
          if (readers.length > 0) return readers;
        }
        const producer = producers.get(form);
        if (producer) {
          const a = climb(producer);
          if (a) return [a];
        }
      }
    }
    return [];
  }
}
