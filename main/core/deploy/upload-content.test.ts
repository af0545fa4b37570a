import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedUploadContent } from './upload-content';

const work = mkdtempSync(join(tmpdir(), 'edgefleet-upload-content-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('upload content shared by the devices of a rollout', () => {
  it('reads a file once: every device gets the same bytes', async () => {
    const path = join(work, 'model.onnx');
    writeFileSync(path, 'first');
    const content = sharedUploadContent();
    const a = await content(path);
    writeFileSync(path, 'second');
    const b = await content(path);
    expect(a?.toString()).toBe('first');
    expect(b).toBe(a);
    // Another rollout reads the file as it is now.
    expect((await sharedUploadContent()(path))?.toString()).toBe('second');
  });

  it('leaves large or unreadable files to be read from disk per device', async () => {
    const path = join(work, 'large.onnx');
    writeFileSync(path, Buffer.alloc(2048));
    const content = sharedUploadContent(1024);
    expect(await content(path)).toBeNull();
    expect(await content(join(work, 'missing.onnx'))).toBeNull();
  });
});
