import { describe, expect, it } from 'vitest';
import { describeSource, pickedSource, switchDataKind, uploadedSource } from './data-source';
import { emptyData } from './optimize-form';

/** A File as the browser hands it over from a folder chooser: with its path below the chosen folder. */
function fileIn(path: string, size: number): File {
  const file = new File([new Uint8Array(size)], path.split('/').at(-1) ?? path);
  Object.defineProperty(file, 'webkitRelativePath', { value: path });
  return file;
}

describe('switchDataKind', () => {
  it('starts each kind afresh and keeps the entries of the kind already chosen', () => {
    expect(switchDataKind({ kind: 'none' }, 'random')).toEqual({ kind: 'random', count: 32, seed: 1 });
    expect(switchDataKind({ kind: 'random', count: 5, seed: 2 }, 'none')).toEqual({ kind: 'none' });
    expect(switchDataKind({ kind: 'none' }, 'data')).toEqual(emptyData());
    expect(switchDataKind({ kind: 'random', count: 5, seed: 2 }, 'random')).toBeNull();
  });
});

describe('uploadedSource', () => {
  it('names a folder after its top directory and adds up the sizes', () => {
    const source = uploadedSource('folder', [fileIn('calib/a.npy', 10), fileIn('calib/b.npy', 20)]);
    expect(source).toMatchObject({ origin: 'upload', mode: 'folder', name: 'calib', sizeBytes: 30 });
    expect(source?.origin === 'upload' && source.files.length).toBe(2);
  });

  it('names a single file after itself, and is null when nothing was chosen', () => {
    expect(uploadedSource('file', [new File([new Uint8Array(4)], 'x.npy')])).toMatchObject({
      name: 'x.npy',
      sizeBytes: 4,
    });
    expect(uploadedSource('folder', [])).toBeNull();
  });
});

describe('pickedSource', () => {
  it("passes a file's name on for format detection, never a folder's", () => {
    const picked = { fileRef: 'f_1', fileName: 'samples.npy', sizeBytes: 2048 };
    expect(pickedSource('file', picked).names).toEqual(['samples.npy']);
    expect(pickedSource('folder', picked)).toEqual({
      source: { origin: 'dialog', mode: 'folder', picked },
      names: [],
    });
  });
});

describe('describeSource', () => {
  it('counts the files of an uploaded folder and says when they are sent', () => {
    const source = uploadedSource('folder', [fileIn('imgs/a.png', 1024), fileIn('imgs/b.png', 1024)]);
    expect(source && describeSource(source)).toEqual({
      name: 'imgs',
      folder: true,
      detail: '2 files, 2 KiB (uploaded when the run starts)',
    });
  });

  it('gives only the size of an uploaded file or of anything chosen in the dialog', () => {
    const file = uploadedSource('file', [new File([new Uint8Array(10)], 'x.npy')]);
    expect(file && describeSource(file)).toEqual({ name: 'x.npy', folder: false, detail: '10 B' });
    const picked = pickedSource('folder', { fileRef: 'f_1', fileName: 'calib', sizeBytes: 2048 }).source;
    expect(describeSource(picked)).toEqual({ name: 'calib', folder: true, detail: '2 KiB' });
  });
});
