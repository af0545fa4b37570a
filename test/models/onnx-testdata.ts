import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** ONNX's backend test models, from Debian's libonnx-testdata package (installed by .ci/run). */
export const ONNX_TESTDATA_DIR = '/usr/share/libonnx-testdata/data';

export const ONNX_TESTDATA_SUITES = ['node', 'simple', 'pytorch-converted', 'pytorch-operator'] as const;

/** `model.onnx` paths of the given suites, sorted; throws with an install hint when the package is missing. */
export function listTestdataModels(suites: readonly string[] = ONNX_TESTDATA_SUITES): string[] {
  if (!existsSync(ONNX_TESTDATA_DIR)) {
    throw new Error(
      `${ONNX_TESTDATA_DIR} is missing: install Debian's libonnx-testdata (apt-get install -y libonnx-testdata).`,
    );
  }
  const paths: string[] = [];
  for (const suite of suites) {
    const root = join(ONNX_TESTDATA_DIR, suite);
    for (const name of readdirSync(root).sort()) {
      const path = join(root, name, 'model.onnx');
      if (existsSync(path)) paths.push(path);
    }
  }
  return paths;
}

/** Path of one test case's model, e.g. testdataModel('node', 'test_conv_with_strides_padding'). */
export function testdataModel(suite: string, name: string): string {
  return join(ONNX_TESTDATA_DIR, suite, name, 'model.onnx');
}

/** Debian's Python with python3-onnx 1.12 (not the `python3` first on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
