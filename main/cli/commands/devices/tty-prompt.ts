import { createInterface } from 'node:readline/promises';
import { AppError } from '../../../../shared/errors';

/** Whether we can ask the person at the keyboard (stdin and stderr are a terminal). */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/**
 * Reads a secret from the terminal without echoing it (raw mode): passwords and key passphrases are asked
 * at use and never stored on disk. Ctrl-C cancels, backspace and Ctrl-U edit.
 */
export function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!canPrompt()) {
    return Promise.reject(
      new AppError('SECRET_REQUIRED', `${question.trim()} needs a terminal to be asked on.`),
    );
  }
  // Raw mode before the prompt appears: what is typed after seeing it is never echoed or line-buffered.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
          finish();
          reject(new AppError('CANCELLED', 'Cancelled at the prompt. Nothing was changed.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
