import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { command, quote, raw, sh } from './shell-quote';

/** Runs the command line in a real shell and returns the argv it saw, NUL-separated by printf. */
function roundTrip(shell: string, args: string[]): string[] {
  const out = execFileSync(shell, ['-c', command(['printf', '%s\\0', ...args])], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const nasty = [
  '',
  ' ',
  'plain',
  '/opt/edgefleet',
  'a b',
  "it's",
  "''",
  '"double"',
  '$HOME',
  '${HOME}',
  '$(touch /tmp/should-not-exist)',
  '`id`',
  'a;b',
  'a&&b|c',
  '*',
  '~',
  '~root',
  '-n',
  '--flag=x',
  'A=b',
  'back\\slash',
  'new\nline',
  'tab\there',
  '!history',
  '#comment',
  'ünïcødé ✓',
  "/tmp/x/a b'c$(touch /tmp/x/pwned);d",
];

describe('quote', () => {
  it('leaves safe words bare and quotes everything else', () => {
    expect(quote('/opt/edgefleet')).toBe('/opt/edgefleet');
    expect(quote('model-1.2_3.onnx')).toBe('model-1.2_3.onnx');
    expect(quote('')).toBe("''");
    expect(quote('a b')).toBe("'a b'");
    expect(quote("it's")).toBe("'it'\\''s'");
    expect(quote('A=b')).toBe("'A=b'");
    expect(quote('~')).toBe("'~'");
  });

  it('refuses NUL, which no argv can carry', () => {
    expect(() => quote('a\0b')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('refuses an empty command', () => {
    expect(() => command([])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  for (const shell of ['/bin/sh', '/bin/bash']) {
    it(`round-trips hostile arguments through ${shell}`, () => {
      expect(roundTrip(shell, nasty)).toEqual(nasty);
    });

    it(`round-trips random characters through ${shell}`, () => {
      // Every ASCII control and punctuation character, plus Latin-1 and beyond (sent as UTF-8).
      const samples = Array.from({ length: 50 }, () =>
        String.fromCodePoint(...[...randomBytes(24)].map((b) => (b === 0 ? 0x2603 : b))),
      );
      expect(roundTrip(shell, samples)).toEqual(samples);
    });
  }
});

describe('sh template', () => {
  it('quotes every interpolation and keeps raw text as is', () => {
    const dir = "/tmp/a b'c";
    const files = ['x y', 'z'];
    expect(sh`mkdir -p ${dir} && touch ${files} ${raw('2>/dev/null')} ; echo ${42}`).toBe(
      "mkdir -p '/tmp/a b'\\''c' && touch 'x y' z 2>/dev/null ; echo 42",
    );
  });

  it('runs as intended in a real shell', () => {
    const value = '$(echo pwned); `echo pwned`';
    const out = execFileSync('/bin/sh', ['-c', sh`printf %s ${value}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });
});
