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

  it('points at the page instead of the CLI listing command', () => {
    expect(
      guiWords(
        'No device has the tag "lab". List tags with: edgefleet devices list (tags are case-sensitive).',
      ),
    ).toBe('No device has the tag "lab". Tags are case-sensitive: see them on the Fleet page.');
    expect(guiWords('No deployment d_1. List them with edgefleet history.')).toBe(
      'No deployment d_1. See the History page.',
    );
    expect(
      guiWords(
        'pi is busy: … is still running there. Wait for it to finish (edgefleet history), or cancel it, then retry.',
      ),
    ).toBe(
      'pi is busy: … is still running there. Wait for it to finish (History page), or cancel it, then retry.',
    );
    expect(
      guiWords(
        'No hardware profile "x". List them with: edgefleet profiles list (or import one: edgefleet profiles import <file>).',
      ),
    ).toBe('No hardware profile "x". See, or import one, under Benchmark › Hardware profiles.');
  });

  it('names the Optimize page’s data choices and the device form’s fields instead of CLI flags', () => {
    expect(
      guiWords(
        'Static INT8 needs calibration data: give --calibration <folder|file.npy>, or --calibration random to try it on random inputs (accuracy is then not meaningful).',
      ),
    ).toBe(
      'Static INT8 needs calibration data: choose calibration data (“Folder / file”), or “Random” to try it on random inputs (accuracy is then not meaningful).',
    );
    expect(
      guiWords('Distillation needs data: give --data <folder|file.npy|image folder> (labels optional).'),
    ).toBe(
      'Distillation needs data: choose training data (“Folder / file”: .npy or an image folder) (labels optional).',
    );
    expect(guiWords('--student model:m_9: no such model in the library.')).toBe(
      'Student model:m_9: no such model in the library.',
    );
    expect(
      guiWords(
        "Device pi uses key authentication but has no key file. Give the private key's path (--key PATH), or use --agent.",
      ),
    ).toBe(
      "Device pi uses key authentication but has no key file. Give the private key's path (“Private key file”), or choose ssh-agent.",
    );
  });

  it('leaves messages without CLI hints alone', () => {
    const plain = 'The port must be from 1 to 65535.';
    expect(guiWords(plain)).toBe(plain);
  });
});
