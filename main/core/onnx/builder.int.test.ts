import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/fixtures/temp-dir';
import {
  buildMlp,
  buildSmallCnn,
  buildSymbolicBatchModel,
  DEBIAN_PYTHON,
  writeSmallCnnWithExternalData,
  writeTestModel,
} from '../../../test/models';

describe('test models (Debian python3-onnx)', () => {
  it("test models pass ONNX's checker (full_check), including the external-data variant", async () => {
    const dir = tempDir('edgefleet-onnx-check-');
    const paths = [join(dir, 'cnn.onnx'), join(dir, 'mlp.onnx'), join(dir, 'symbolic.onnx')];
    await writeTestModel(buildSmallCnn(), paths[0]!);
    await writeTestModel(buildMlp(), paths[1]!);
    await writeTestModel(buildSymbolicBatchModel(), paths[2]!);
    paths.push((await writeSmallCnnWithExternalData(join(dir, 'ext'))).modelPath);
    const script = [
      'import sys, onnx',
      'for p in sys.argv[1:]:',
      '    onnx.checker.check_model(p, full_check=True)',
      'print("ok", len(sys.argv) - 1)',
    ].join('\n');
    const { stdout } = await promisify(execFile)(DEBIAN_PYTHON, ['-c', script, ...paths]);
    expect(stdout.trim()).toBe(`ok ${paths.length}`);
  });
});
