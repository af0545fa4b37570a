import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostileValues } from '../../../../test/fixtures/hostile-values';
import { generateKey } from '../../../../test/fixtures/sshd';
import { tempDir } from '../../../../test/fixtures/temp-dir';
import { entryMatches, parseKnownHosts } from './known-hosts';
import { iniValue, pythonLiteral, shlexSplit } from './python-shlex';

// Oracles from Debian: python3 (shlex, ast.literal_eval) and OpenSSH's ssh-keygen.

const work = tempDir('ef-inventory-io-');

/** Debian's Python: the same shlex and ast.literal_eval Ansible uses, as an independent oracle. */
function python(script: string, input: unknown): unknown {
  const out = execFileSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('Python shlex and literals, as Ansible reads INI inventories', () => {
  it('splits host lines exactly like shlex.split(line, comments=True)', () => {
    const lines = [
      `h a=1 b='x y' c="q\\"z" d=e#f g`,
      `h x=\\$y y='it'"'"'s' z="a\\\\b"`,
      `  web01   ansible_host=10.0.0.5  # trailing comment`,
      `'quoted name'x k=v`,
      `h k="" j=''`,
    ];
    const expected = python(
      'import json,shlex,sys; print(json.dumps([shlex.split(l, comments=True) for l in json.load(sys.stdin)]))',
      lines,
    );
    expect(lines.map(shlexSplit)).toEqual(expected);
  });

  it('reads values like ast.literal_eval (text that is no literal stays text)', () => {
    const values = [
      '22',
      '"x y"',
      "'it\\'s'",
      '["a b", "c;d"]',
      'True',
      'None',
      '1.5',
      'foo',
      '/opt/x',
      '10.0.0.5',
      '1_000',
      '{"k": [1, "v"]}',
      '"\\u00e9\\n"',
    ];
    const expected = python(
      `import ast,json,sys
def ev(v):
    try: return ast.literal_eval(v)
    except (ValueError, SyntaxError): return v
print(json.dumps([ev(v) for v in json.load(sys.stdin)]))`,
      values,
    );
    expect(values.map(pythonLiteral)).toEqual(expected);
  });

  it('writes values that shlex + literal_eval (ours and Python’s) give back exactly', () => {
    const lines = hostileValues.map((v) => `h k=${iniValue(v)}`);
    const ours = lines.map((l) => pythonLiteral((shlexSplit(l)[1] ?? '').slice(2)));
    expect(ours).toEqual(hostileValues);
    const theirs = python(
      `import ast,json,shlex,sys
def ev(v):
    try: return ast.literal_eval(v)
    except (ValueError, SyntaxError): return v
print(json.dumps([ev(shlex.split(l, comments=True)[1][2:]) for l in json.load(sys.stdin)]))`,
      lines,
    );
    expect(theirs).toEqual(hostileValues);
    expect(iniValue('10.0.0.5')).toBe('10.0.0.5');
    expect(iniValue(['a b', 'c'])).toBe(`'["a b", "c"]'`);
  });
});

describe('known_hosts', () => {
  it('matches plain, [host]:port and hashed entries; skips markers; rejects broken keys', async () => {
    const pub = (await generateKey(join(work, 'hk1'))).split(' ').slice(0, 2).join(' ');
    const pub2 = (await generateKey(join(work, 'hk2'))).split(' ').slice(0, 2).join(' ');
    const file = join(work, 'known_hosts');
    writeFileSync(file, `hashed.example ${pub}\n[box.lan]:2222 ${pub2}\n`);
    // ssh-keygen -H hashes the names in place, as HashKnownHosts does.
    execFileSync('/usr/bin/ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = readFileSync(file, 'utf8');
    expect(hashed).not.toContain('hashed.example');
    const text = `${hashed}plain.lan,10.0.0.5 ${pub}\n@revoked * ${pub}\nbroken ssh-ed25519 AAAAnotakey\n# comment\n`;
    const parsed = parseKnownHosts(text);
    expect(parsed.entries).toHaveLength(3);
    expect(parsed.rows.map((r) => r.action)).toEqual(['skipped', 'rejected']);
    const [h1, h2, plain] = parsed.entries;
    if (h1 === undefined || h2 === undefined || plain === undefined) throw new Error('missing entries');
    expect(entryMatches(h1, 'hashed.example', 22)).toBe(true);
    expect(entryMatches(h1, 'hashed.example', 2222)).toBe(false);
    expect(entryMatches(h2, 'box.lan', 2222)).toBe(true);
    expect(entryMatches(h2, 'box.lan', 22)).toBe(false);
    expect(entryMatches(plain, 'PLAIN.lan', 22)).toBe(true);
    expect(entryMatches(plain, '10.0.0.5', 22)).toBe(true);
    expect(plain.publicKey).toBe(pub);
  });
});
