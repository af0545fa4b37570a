import { describe, expect, it } from 'vitest';
import { guiWords } from './gui-words';

describe('guiWords', () => {
  it('offers the Trust button instead of the CLI trust command', () => {
    const core =
      "edge-1 (127.0.0.1:2222) is not trusted yet: it presents ssh-ed25519 key SHA256:abc. Compare it with the device's key, then run: edgefleet devices trust edge-1 --fingerprint SHA256:abc";
    expect(guiWords(core)).toBe(
      "edge-1 (127.0.0.1:2222) is not trusted yet: it presents ssh-ed25519 key SHA256:abc. Compare it with the device's key, then trust it with “Trust host key…”",
    );
    expect(
      guiWords(
        'Host key not trusted: the deploy refuses pi (HOST_KEY_UNKNOWN). Trust it first (edgefleet devices trust pi).',
      ),
    ).toBe(
      'Host key not trusted: the deploy refuses pi (HOST_KEY_UNKNOWN). Trust it first (“Trust host key…” on the Fleet page).',
    );
  });

  it('names the import button instead of the CLI flag', () => {
    expect(guiWords('Fix the file, or import the valid rows only (--skip-invalid).')).toBe(
      'Fix the file, or import the valid rows only (“Import the valid rows only”).',
    );
  });

  it('leaves messages without CLI hints alone', () => {
    const plain = 'The port must be from 1 to 65535.';
    expect(guiWords(plain)).toBe(plain);
  });
});
