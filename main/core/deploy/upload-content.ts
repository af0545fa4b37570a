import { readFile, stat } from 'node:fs/promises';

/**
 * Files up to this size are read once per rollout and sent to every device from memory; larger ones are
 * read from disk for each device (a rollout must not hold gigabytes in the app).
 */
const sharedMaxBytes = 256 * 2 ** 20;

/**
 * The bytes of the files a rollout uploads, read once on the first upload and shared by every device: 20
 * devices of a 20 MiB model read 20 MiB instead of 400, and allocate no read buffers per device (their
 * garbage collection was a seventh of the deploying process's CPU). A re-deploy that uploads nothing reads
 * nothing. Null (read from disk per device) when the file is large or cannot be read here — the upload then
 * reports the error itself. The device checks the sha256 of what it received either way.
 */
export function sharedUploadContent(maxBytes = sharedMaxBytes): (path: string) => Promise<Buffer | null> {
  const files = new Map<string, Promise<Buffer | null>>();
  return (path) => {
    let content = files.get(path);
    if (content === undefined) {
      content = (async () => {
        try {
          return (await stat(path)).size <= maxBytes ? await readFile(path) : null;
        } catch {
          return null;
        }
      })();
      files.set(path, content);
    }
    return content;
  };
}
