import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/fixtures/temp-dir';
import { loadNativeModule } from '../core/runtime/native-module';
import { reportError } from './cli-context';

const require = createRequire(import.meta.url);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('a native module that cannot load', () => {
  it('reaches the CLI as one line on stderr and exit code 3', () => {
    const addon = join(tempDir(), 'broken.node');
    writeFileSync(addon, 'not a shared object');
    const err = caught(() => loadNativeModule('better-sqlite3', () => require(addon)));
    const out: string[] = [];
    const errOut: string[] = [];
    const code = reportError(err, false, {
      stdout: (t) => out.push(t),
      stderr: (t) => errOut.push(t),
      stderrIsTty: false,
    });
    expect(code).toBe(3);
    expect(out).toEqual([]);
    expect(errOut).toHaveLength(1);
    expect(errOut[0]).toMatch(/^error NATIVE_MODULE_UNAVAILABLE: .*npm rebuild better-sqlite3.*\n$/);
    expect(errOut[0]?.split('\n')).toHaveLength(2);
  });
});
