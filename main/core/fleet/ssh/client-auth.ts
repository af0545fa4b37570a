import type { ConnectConfig, ParsedKey, PublicKeyAuthMethod } from 'ssh2';
// ssh2 is CommonJS: Node only detects some named exports (not `utils`), so go through the default export.
import ssh2 from 'ssh2';
import { AppError } from '../../../../shared/errors';
import type { SshTarget } from './ssh-target';
import { describeTarget } from './ssh-target';
import { readKeyFile } from './key-file';

export type AuthConfig = Pick<
  ConnectConfig,
  'privateKey' | 'passphrase' | 'agent' | 'password' | 'tryKeyboard' | 'authHandler'
>;

/**
 * Private keys already read and parsed, by path, for the connections of one pool (a rollout): twenty devices
 * with the same key read and parse it once instead of twice per device — an encrypted OpenSSH key costs a
 * bcrypt key derivation per parse.
 */
export type KeyCache = Map<string, { passphrase: string | undefined; key: Promise<ParsedKey> }>;

/**
 * Each method is offered straight away: ssh2 otherwise starts every login with a "none" request, one more
 * round trip (and one more authentication attempt for the device's sshd) that sshd refuses unless it allows
 * logins without any credential.
 *
 * Resolves the credentials before any network traffic, so a missing key file or a forgotten passphrase is
 * reported as exactly that instead of a generic "authentication failed" from the server.
 */
export async function loadAuth(
  target: SshTarget,
  read: { signal?: AbortSignal | undefined; deadline?: number | undefined } = {},
  keys?: KeyCache,
): Promise<AuthConfig> {
  const auth = target.auth;
  switch (auth.kind) {
    case 'key': {
      const { privateKeyPath: path, passphrase } = auth;
      const cached = keys?.get(path);
      let key = cached !== undefined && cached.passphrase === passphrase ? cached.key : undefined;
      if (key === undefined) {
        const reading = readPrivateKey(target, path, passphrase, read);
        key = reading;
        if (keys !== undefined) {
          keys.set(path, { passphrase, key: reading });
          // A failed read is not remembered: the next connection tries again (and reports its own error).
          reading.catch(() => {
            if (keys.get(path)?.key === reading) keys.delete(path);
          });
        }
      }
      // The parsed key itself: ssh2 would parse the bytes again for every connection.
      const method: PublicKeyAuthMethod = { type: 'publickey', username: target.username, key: await key };
      return { authHandler: [method] };
    }
    case 'agent': {
      const socket = auth.socket ?? process.env['SSH_AUTH_SOCK'];
      if (socket === undefined || socket === '') {
        throw new AppError(
          'AUTH_FAILED',
          `No SSH agent for ${describeTarget(target)}: SSH_AUTH_SOCK is not set. Start ssh-agent and add your key, or use a key file.`,
          { reason: 'no-agent' },
        );
      }
      return { agent: socket, authHandler: ['agent'] };
    }
    case 'password':
      // Many devices disable "password" but allow keyboard-interactive (PAM); answer its prompts with it too.
      return {
        password: auth.password,
        tryKeyboard: true,
        authHandler: ['password', 'keyboard-interactive'],
      };
  }
}

async function readPrivateKey(
  target: SshTarget,
  path: string,
  passphrase: string | undefined,
  read: { signal?: AbortSignal | undefined; deadline?: number | undefined },
): Promise<ParsedKey> {
  const bytes = await readKeyFile(path, { ...read, where: describeTarget(target) });
  const parsed = ssh2.utils.parseKey(bytes, passphrase);
  if (parsed instanceof Error) {
    const message = parsed.message;
    if (/no passphrase given/i.test(message)) {
      throw new AppError('AUTH_FAILED', `The private key ${path} is encrypted. Enter its passphrase.`, {
        reason: 'passphrase-required',
        path,
      });
    }
    if (/bad passphrase|integrity check failed|decrypt/i.test(message)) {
      throw new AppError(
        'AUTH_FAILED',
        `The passphrase for the private key ${path} is wrong. Enter it again.`,
        {
          reason: 'bad-passphrase',
          path,
        },
      );
    }
    throw new AppError(
      'AUTH_FAILED',
      `${path} is not a private key EdgeFleet can use (${message}). Use an OpenSSH, PEM or PuTTY private key.`,
      { reason: 'invalid-key', path },
    );
  }
  if (!parsed.isPrivateKey()) {
    throw new AppError(
      'AUTH_FAILED',
      `${path} is a public key. Choose the private key file (usually the same name without .pub).`,
      { reason: 'invalid-key', path },
    );
  }
  return parsed;
}
