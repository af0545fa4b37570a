/**
 * Ansible reads INI host lines with Python's `shlex.split(line, comments=True)` and each value with
 * `ast.literal_eval`. These do the same for the subset inventories use, so an exported file means the same to
 * Ansible and to our importer.
 */

class ShlexError extends Error {}

/** POSIX-mode shlex.split with comments: `#` (outside quotes) ends the line, even inside a word. */
export function shlexSplit(line: string): string[] {
  const tokens: string[] = [];
  let token = '';
  let inToken = false;
  let i = 0;
  const end = (): void => {
    if (inToken) tokens.push(token);
    token = '';
    inToken = false;
  };
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShlexError('No closing quotation');
      token += line.slice(i + 1, close);
      inToken = true;
      i = close + 1;
    } else if (c === '"') {
      inToken = true;
      i += 1;
      for (;;) {
        if (i >= line.length) throw new ShlexError('No closing quotation');
        const d = line.charAt(i);
        if (d === '"') {
          i += 1;
          break;
        }
        const next = line.charAt(i + 1);
        if (d === '\\' && i + 1 < line.length && '\\"$`\n'.includes(next)) {
          token += next;
          i += 2;
        } else {
          token += d;
          i += 1;
        }
      }
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShlexError('No escaped character');
      token += line.charAt(i + 1);
      inToken = true;
      i += 2;
    } else if (c === '#') {
      break;
    } else if (/\s/.test(c)) {
      end();
      i += 1;
    } else {
      token += c;
      inToken = true;
      i += 1;
    }
  }
  end();
  return tokens;
}

/** Python shlex.quote: safe words bare, everything else in single quotes (`'` as `'"'"'`). */
function shlexQuote(value: string): string {
  if (value === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/**
 * `ast.literal_eval` for what inventories hold: integers, floats, True/False/None, quoted strings, and lists
 * or dicts of those. Anything else stays the text it was, as in Ansible.
 */
export function pythonLiteral(text: string): PyValue {
  const parser = new LiteralParser(text.trim());
  try {
    const value = parser.value();
    parser.skipSpace();
    return parser.atEnd() ? value : text;
  } catch {
    return text;
  }
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  skipSpace(): void {
    while (this.i < this.s.length && /\s/.test(this.s.charAt(this.i))) this.i += 1;
  }

  value(): PyValue {
    this.skipSpace();
    const c = this.s.charAt(this.i);
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (c === '"' || c === "'") return this.string();
    const word = /^(?:True|False|None)\b/.exec(this.s.slice(this.i));
    if (word !== null) {
      this.i += word[0].length;
      return word[0] === 'True' ? true : word[0] === 'False' ? false : null;
    }
    const num = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?/.exec(this.s.slice(this.i));
    if (num !== null) {
      this.i += num[0].length;
      const n = Number(num[0].replaceAll('_', ''));
      if (Number.isNaN(n)) throw new Error('not a number');
      return n;
    }
    throw new Error('not a literal');
  }

  private expect(ch: string): void {
    this.skipSpace();
    if (this.s.charAt(this.i) !== ch) throw new Error(`expected ${ch}`);
    this.i += 1;
  }

  private sequence(close: string): PyValue[] {
    this.i += 1;
    const out: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.s.charAt(this.i) === close) {
        this.i += 1;
        return out;
      }
      out.push(this.value());
      this.skipSpace();
      if (this.s.charAt(this.i) === ',') this.i += 1;
      else if (this.s.charAt(this.i) !== close) throw new Error('expected , or close');
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.i += 1;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.skipSpace();
      if (this.s.charAt(this.i) === '}') {
        this.i += 1;
        return out;
      }
      const key = this.value();
      this.expect(':');
      out[String(key)] = this.value();
      this.skipSpace();
      if (this.s.charAt(this.i) === ',') this.i += 1;
      else if (this.s.charAt(this.i) !== '}') throw new Error('expected , or }');
    }
  }

  private string(): string {
    const quote = this.s.charAt(this.i);
    this.i += 1;
    let out = '';
    for (;;) {
      if (this.atEnd()) throw new Error('unterminated string');
      const c = this.s.charAt(this.i);
      if (c === quote) {
        this.i += 1;
        // Adjacent literals concatenate, as in Python.
        this.skipSpace();
        const next = this.s.charAt(this.i);
        return next === '"' || next === "'" ? out + this.string() : out;
      }
      if (c === '\\') {
        out += this.escape();
        continue;
      }
      if (c === '\n') throw new Error('newline in string');
      out += c;
      this.i += 1;
    }
  }

  private escape(): string {
    const e = this.s.charAt(this.i + 1);
    this.i += 2;
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '0': '\0',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\n': '',
    };
    if (e in simple) return simple[e] ?? '';
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = this.s.slice(this.i, this.i + hexLen);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) throw new Error('bad escape');
      this.i += hexLen;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    // Python keeps unknown escapes as they are.
    return `\\${e}`;
  }
}

/**
 * A string written so that both shlex.split and literal_eval give it back exactly. Plain words that
 * literal_eval leaves alone stay readable (`ansible_host=10.0.0.5`); the rest become a quoted Python string.
 */
export function iniValue(value: string | number | readonly string[]): string {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return shlexQuote(`[${value.map(pythonString).join(', ')}]`);
  const plain =
    /^[A-Za-z_/~][A-Za-z0-9_./@%:~-]*$/.test(value) || /^\d+(?:\.\d+){2,}$/.test(value) ? value : null;
  if (plain !== null && !/^(?:True|False|None)$/.test(plain)) return plain;
  return shlexQuote(pythonString(value));
}

/** A Python string literal: JSON's escapes are valid Python escapes. */
function pythonString(value: string): string {
  return JSON.stringify(value);
}
