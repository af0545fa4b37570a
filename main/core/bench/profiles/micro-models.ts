import type { ModelProto } from 'onnx-buf';
import { TensorProto_DataType as DT } from 'onnx-buf';
import { createModelBuilder } from '../../onnx';

/**
 * Tiny models whose cost is known exactly, for calibrating the estimator on this machine: each isolates one
 * term of the roofline (GEMM throughput, streaming bandwidth, per-kernel overhead, per-run overhead).
 */

/** Deterministic filler (no PRNG needed: values only must not be all equal). */
function fill<T extends Float32Array | Int8Array | Uint8Array>(array: T, f: (i: number) => number): T {
  for (let i = 0; i < array.length; i++) array[i] = f(i);
  return array;
}

/** y = x · W with x [m,k], W [k,n] fp32: m·k·n MACs. */
export function fp32MatMulModel(m: number, k: number, n: number): ModelProto {
  return createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.FLOAT, [m, k])
    .output('y', DT.FLOAT, [m, n])
    .initializer(
      'w',
      DT.FLOAT,
      [k, n],
      fill(new Float32Array(k * n), (i) => ((i % 17) - 8) / 64),
    )
    .node('MatMul', ['x', 'w'], ['y'])
    .build();
}

/**
 * The same GEMM in int8 as static QDQ models end up after ORT's fusion: QLinearMatMul with uint8 activations
 * and int8 weights (u8s8, the kernel VNNI/dotprod accelerate).
 */
export function int8MatMulModel(m: number, k: number, n: number): ModelProto {
  return createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.UINT8, [m, k])
    .output('y', DT.UINT8, [m, n])
    .initializer(
      'w',
      DT.INT8,
      [k, n],
      fill(new Int8Array(k * n), (i) => (i % 15) - 7),
    )
    .initializer('x_scale', DT.FLOAT, [], new Float32Array([0.02]))
    .initializer('x_zero', DT.UINT8, [], new Uint8Array([128]))
    .initializer('w_scale', DT.FLOAT, [], new Float32Array([0.01]))
    .initializer('w_zero', DT.INT8, [], new Int8Array([0]))
    .initializer('y_scale', DT.FLOAT, [], new Float32Array([0.5]))
    .initializer('y_zero', DT.UINT8, [], new Uint8Array([128]))
    .node('QLinearMatMul', ['x', 'x_scale', 'x_zero', 'w', 'w_scale', 'w_zero', 'y_scale', 'y_zero'], ['y'])
    .build();
}

/**
 * `count` element-wise ops over `elements` floats, ending in a ReduceMax so the output copy is tiny: each op
 * reads and writes 4·elements bytes (8·elements moved per op).
 */
export function streamingModel(elements: number, count: number): ModelProto {
  const b = createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.FLOAT, [elements])
    .output('y', DT.FLOAT, [1]);
  let prev = 'x';
  for (let i = 0; i < count; i++) {
    const out = `t${i}`;
    b.node(i % 2 === 0 ? 'Neg' : 'Abs', [prev], [out]);
    prev = out;
  }
  return b.node('ReduceMax', [prev], ['y'], { keepdims: 1 }).build();
}

/** `count` element-wise ops on 16 floats: time ÷ count is the per-kernel dispatch overhead. */
export function kernelChainModel(count: number): ModelProto {
  const b = createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.FLOAT, [1, 16])
    .output('y', DT.FLOAT, [1, 16]);
  let prev = 'x';
  for (let i = 0; i < count; i++) {
    const out = i === count - 1 ? 'y' : `t${i}`;
    b.node(i % 2 === 0 ? 'Neg' : 'Abs', [prev], [out]);
    prev = out;
  }
  return b.build();
}

/** 3×3 convolution, pads 1: x [1,cin,h,w] → [1,cout,h,w], cout·h·w·cin·9 MACs. */
export function fp32ConvModel(cin: number, cout: number, size: number): ModelProto {
  return createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.FLOAT, [1, cin, size, size])
    .output('y', DT.FLOAT, [1, cout, size, size])
    .initializer(
      'w',
      DT.FLOAT,
      [cout, cin, 3, 3],
      fill(new Float32Array(cout * cin * 9), (i) => ((i % 11) - 5) / 64),
    )
    .node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })
    .build();
}

/** Depthwise 3×3 convolution (group = channels): channels·h·w·9 MACs. */
export function depthwiseConvModel(channels: number, size: number): ModelProto {
  return createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.FLOAT, [1, channels, size, size])
    .output('y', DT.FLOAT, [1, channels, size, size])
    .initializer(
      'w',
      DT.FLOAT,
      [channels, 1, 3, 3],
      fill(new Float32Array(channels * 9), (i) => ((i % 7) - 3) / 8),
    )
    .node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: channels })
    .build();
}

/** The 3×3 convolution as u8s8 QLinearConv (what static QDQ CNNs run after ORT's fusion). */
export function int8ConvModel(cin: number, cout: number, size: number): ModelProto {
  return createModelBuilder({ opset: 13, producer: 'edgefleet-calibration' })
    .input('x', DT.UINT8, [1, cin, size, size])
    .output('y', DT.UINT8, [1, cout, size, size])
    .initializer(
      'w',
      DT.INT8,
      [cout, cin, 3, 3],
      fill(new Int8Array(cout * cin * 9), (i) => (i % 15) - 7),
    )
    .initializer('x_scale', DT.FLOAT, [], new Float32Array([0.02]))
    .initializer('x_zero', DT.UINT8, [], new Uint8Array([128]))
    .initializer('w_scale', DT.FLOAT, [], new Float32Array([0.01]))
    .initializer('w_zero', DT.INT8, [], new Int8Array([0]))
    .initializer('y_scale', DT.FLOAT, [], new Float32Array([0.5]))
    .initializer('y_zero', DT.UINT8, [], new Uint8Array([128]))
    .node('QLinearConv', ['x', 'x_scale', 'x_zero', 'w', 'w_scale', 'w_zero', 'y_scale', 'y_zero'], ['y'], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    })
    .build();
}
