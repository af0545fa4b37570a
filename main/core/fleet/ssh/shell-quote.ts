import { AppError } from '../../../../shared/errors';

/**
 * POSIX shell quoting for commands sent over SSH. The remote login shell (sh, bash, dash, ash) parses every
 * command line we send, so each argument is either a bare word made only of characters no POSIX shell treats
 * specially, or single-quoted (inside single quotes nothing is special; an embedded `'` becomes `'\''`).
 * `=` is not in the bare set: `A=b cmd` in command position would be an assignment, not an argument.
 */
const bareWord = /^[A-Za-z0-9_./:@%+,-]+$/;

export function quote(arg: string): string {
  if (arg.includes('\0')) {
    // A NUL cannot be passed in argv at all; failing loudly beats a silently truncated argument.
    throw new AppError('BAD_REQUEST', 'A shell argument contains a NUL character; remove it and retry.');
  }
  if (arg === '') return "''";
  if (bareWord.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A command line from an argument vector: every element becomes exactly one argument remotely. */
export function command(argv: readonly string[]): string {
  if (argv.length === 0) throw new AppError('BAD_REQUEST', 'A remote command needs at least a program name.');
  return argv.map(quote).join(' ');
}

const rawTag: unique symbol = Symbol('shell-raw');

/** Trusted shell text (operators, redirections) for `sh`; never wrap user input in it. */
type RawShell = { readonly [rawTag]: string };

export function raw(text: string): RawShell {
  return { [rawTag]: text };
}

function isRaw(value: unknown): value is RawShell {
  return typeof value === 'object' && value !== null && rawTag in value;
}

type ShellValue = string | number | readonly string[] | RawShell;

/**
 * Tagged template: the literal text is trusted script, every interpolated value is quoted (an array becomes
 * several arguments, `raw()` is inserted as is). Do not put quotes around an interpolation yourself:
 * sh`cat ${path}` is right, sh`cat "${path}"` passes the quote characters literally.
 */
export function sh(strings: TemplateStringsArray, ...values: readonly ShellValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return out;
}

function render(value: ShellValue): string {
  if (isRaw(value)) return value[rawTag];
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AppError('BAD_REQUEST', `Cannot put ${value} in a shell command.`);
    return quote(String(value));
  }
  if (typeof value === 'string') return quote(value);
  return value.map(quote).join(' ');
}
