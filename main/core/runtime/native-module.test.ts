import BetterSqlite3 from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { tempDir } from '../../../test/fixtures/temp-dir';
import { loadNativeModule } from './native-module';

const require = createRequire(import.meta.url);

/** A file named like a compiled addon that is not one: what a foreign or truncated build looks like to dlopen. */
function brokenAddon(): string {
  const file = join(tempDir(), 'broken.node');
  writeFileSync(file, 'not a shared object');
  return file;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('loadNativeModule', () => {
  it('turns a corrupt addon into NATIVE_MODULE_UNAVAILABLE naming npm rebuild', () => {
    const addon = brokenAddon();
    const err = caught(() => loadNativeModule('onnxruntime-node', () => require(addon)));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NATIVE_MODULE_UNAVAILABLE');
    expect((err as AppError).message).toContain('npm rebuild onnxruntime-node');
    expect((err as AppError).message).not.toContain('\n');
  });

  it('catches better-sqlite3 opening a broken addon on its first connection', () => {
    const addon = brokenAddon();
    const err = caught(() =>
      loadNativeModule('better-sqlite3', () => new BetterSqlite3(':memory:', { nativeBinding: addon })),
    );
    expect((err as AppError).code).toBe('NATIVE_MODULE_UNAVAILABLE');
    expect((err as AppError).message).toContain('npm rebuild better-sqlite3');
  });

  it('treats a missing addon file as unavailable too', () => {
    const missing = join(tempDir(), 'absent.node');
    const err = caught(() => loadNativeModule('sharp', () => require(missing)));
    expect((err as AppError).code).toBe('NATIVE_MODULE_UNAVAILABLE');
    expect((err as AppError).message).toContain('npm rebuild sharp');
  });

  it('lets other errors through unchanged', () => {
    const original = new TypeError('something else');
    expect(
      caught(() =>
        loadNativeModule('ssh2', () => {
          throw original;
        }),
      ),
    ).toBe(original);
    expect(loadNativeModule('ssh2', () => 42)).toBe(42);
  });
});
