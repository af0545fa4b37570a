/**
 * Channel importance within a group: for every producer (Conv filter row, Gemm/MatMul column) the L1 or L2
 * norm of the weights that make the channel, or the |γ| of the BatchNormalization that followed it. Each
 * producer's scores are divided by their mean before the producers of a group are added up: the norms of
 * layers of different sizes and scales are not comparable (NNCF's warning), a residual group must not be
 * ranked by its widest member alone.
 */
import { getAttrInt } from '../../onnx';
import type { ChannelImportance } from '../../../../shared/schemas/prune';
import { dimsOf, readFloat32 } from '../passes/graph-edit';
import type { ChannelGraph, Producer } from './channel-graph';

export function channelScores(
  cg: ChannelGraph,
  root: number,
  importance: ChannelImportance,
  gammas: ReadonlyMap<string, Float32Array>,
): { scores: Float64Array; fellBack: number } {
  const size = cg.size(root);
  const total = new Float64Array(size);
  let fellBack = 0;
  for (const p of cg.producersOf(root)) {
    let s: Float64Array;
    const gamma = gammas.get(p.node.name);
    if (importance === 'bn-gamma' && gamma && gamma.length === size) {
      s = Float64Array.from(gamma);
    } else {
      if (importance === 'bn-gamma') fellBack++;
      s = weightNorms(cg, p, importance === 'l1' ? 1 : 2, size);
    }
    let mean = 0;
    for (const v of s) mean += v / size;
    for (let c = 0; c < size; c++) total[c]! += mean > 0 ? s[c]! / mean : 0;
  }
  return { scores: total, fellBack };
}

function weightNorms(cg: ChannelGraph, p: Producer, order: 1 | 2, size: number): Float64Array {
  const t = cg.constants.get(p.node.input[1]!)!.tensor;
  const w = readFloat32(t);
  const dims = dimsOf(t);
  const out = new Float64Array(size);
  // Output channels are rows of a Conv weight and of a transposed Gemm weight, columns otherwise.
  const rows = p.kind === 'conv' || (p.kind === 'gemm' && getAttrInt(p.node, 'transB', 0) === 1);
  if (p.kind === 'conv-transpose') {
    // [Cin, Cout, k…]: channel o is the slab w[:, o, …].
    const cin = dims[0]!;
    const per = w.length / (cin * size);
    for (let i = 0; i < cin; i++) {
      for (let o = 0; o < size; o++) {
        for (let k = (i * size + o) * per; k < (i * size + o + 1) * per; k++) {
          out[o]! += order === 1 ? Math.abs(w[k]!) : w[k]! * w[k]!;
        }
      }
    }
    if (order === 2) for (let o = 0; o < size; o++) out[o] = Math.sqrt(out[o]!);
  } else if (rows) {
    const per = w.length / dims[0]!;
    for (let c = 0; c < size; c++) {
      let acc = 0;
      for (let i = c * per; i < (c + 1) * per; i++) acc += order === 1 ? Math.abs(w[i]!) : w[i]! * w[i]!;
      out[c] = order === 1 ? acc : Math.sqrt(acc);
    }
  } else {
    const n = dims[1]!;
    for (let i = 0; i < w.length; i++) {
      const c = i % n;
      out[c]! += order === 1 ? Math.abs(w[i]!) : w[i]! * w[i]!;
    }
    if (order === 2) for (let c = 0; c < size; c++) out[c] = Math.sqrt(out[c]!);
  }
  return out;
}
