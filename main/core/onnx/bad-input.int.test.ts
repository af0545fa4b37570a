import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { tempDir } from '../../../test/fixtures/temp-dir';
import { testdataModel } from '../../../test/models';
import { readModelFile } from './index';

const dir = tempDir('edgefleet-onnx-bad-');

async function caughtAsync(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => new Error('expected an AppError, the call succeeded'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** Every message says what is wrong and what to do: a sentence, then advice after a colon or period. */
function expectHelpful(err: AppError): void {
  expect(err.message.length).toBeGreaterThan(40);
  expect(err.message).toMatch(
    /[:.] .*\b(export|choose|import|re-export|copy|download|convert|put|allow|check|install|make|add|rename|unzip|decompress)\b/i,
  );
}

async function file(name: string, content: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe("readModelFile on files from ONNX's backend test data (Debian libonnx-testdata)", () => {
  it('truncated model (first half of a real model) → MODEL_INVALID saying truncated', async () => {
    const real = await readFile(testdataModel('pytorch-operator', 'test_operator_conv'));
    const err = await caughtAsync(readModelFile(await file('half.onnx', real.subarray(0, real.length >> 1))));
    expect(err.code).toBe('MODEL_INVALID');
    expect(err.message).toContain('truncated');
    expectHelpful(err);
  });

  it('a protobuf that is not a model (a test tensor file) → MODEL_INVALID', async () => {
    const pb = await readFile(
      testdataModel('node', 'test_abs').replace('model.onnx', 'test_data_set_0/input_0.pb'),
    );
    const err = await caughtAsync(readModelFile(await file('tensor.onnx', pb)));
    expect(err.code).toBe('MODEL_INVALID');
  });
});
