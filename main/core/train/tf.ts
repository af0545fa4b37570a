// tfjs on the pure-JS CPU backend: the one autodiff library that installs from npm alone here (tfjs-node
// downloads a binary at install; the wasm backend lacks the conv filter gradient). tfjs-core's CommonJS
// bundle registers no gradients and its per-file ES build cannot load in Node (directory imports), so the
// `@tensorflow/tfjs` bundle is loaded for its side effect: it registers every gradient (and the CPU backend)
// against the same tfjs-core instance.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs';
import { installBroadcastKernels } from './broadcast-kernels';

let ready: Promise<void> | null = null;

/** Selects the CPU backend once per thread; every engine entry point awaits it. */
export function tfReady(): Promise<void> {
  ready ??= (async () => {
    // PROD skips tfjs' per-op NaN/debug checks and its "install tfjs-node" banner (tests must be quiet).
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs CPU backend did not register');
    installBroadcastKernels();
  })();
  return ready;
}

export { tf };
