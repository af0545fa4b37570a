import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { DEBIAN_PYTHON, writeTestModel } from '../../../../test/models';
import { buildOpset9Ops } from '../../../../test/models/opset9-ops';
import { decodeModel, encodeModel, inferShapes } from '../../onnx';
import { upgradeOpset } from '.';

const checkModelPy = fileURLToPath(new URL('../../../../test/python/check_model.py', import.meta.url));

describe("upgradeOpset (→ 13) against ONNX's checker (Debian python3-onnx)", () => {
  it('the upgraded opset-9 model passes onnx.checker', async () => {
    const upgraded = decodeModel(encodeModel(buildOpset9Ops()));
    expect(upgradeOpset(upgraded, inferShapes(upgraded))).toMatchObject({ ok: true, from: 9, to: 13 });
    const path = join(tempDir('ef-preprocess-'), 'upgraded.onnx');
    await writeTestModel(upgraded, path);
    const out = JSON.parse(execFileSync(DEBIAN_PYTHON, [checkModelPy, path]).toString()) as Record<
      string,
      string
    >;
    expect(out[path]).toBe('ok');
  });
});
