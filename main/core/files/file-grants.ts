import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PickedFile } from '../../../shared/contract';
import { processDirName, sweepOwnedTemps } from './owned-temp';
import { AppError } from '../../../shared/errors';

/** `group`: a staged folder (its path is the folder). */
type Grant = { path: string; fileName: string; sizeBytes: number; staged: boolean; group: boolean };

const stagingPrefix = 'p';

/** 4 GiB: larger than any model ONNX can hold in one protobuf (2 GiB) plus room for external data. */
const maxUploadBytes = 4 * 1024 ** 3;

/**
 * The renderer is untrusted, so it never names paths. Main hands out opaque references to files the user chose
 * in a native dialog, or uploaded to the web console (staged under the data dir), and resolves them itself.
 */
export class FileGrants {
  private readonly grants = new Map<string, Grant>();
  private readonly chosen = new Set<string>();

  private readonly stagingDir: string;

  /**
   * `stagingRoot` is shared by every process on the data directory (the GUI and the CLI); this process
   * stages under its own `p<pid>-<start>` folder and removes only folders whose process is gone or that
   * are a day old: uploads of an earlier run that never got imported, never a running app's.
   */
  constructor(stagingRoot: string) {
    mkdirSync(stagingRoot, { recursive: true });
    sweepOwnedTemps(stagingRoot, stagingPrefix);
    this.stagingDir = join(stagingRoot, processDirName(stagingPrefix));
    mkdirSync(this.stagingDir, { recursive: true });
  }

  async grantPath(path: string): Promise<PickedFile> {
    const info = await stat(path);
    if (!info.isDirectory()) this.chosen.add(resolvePath(path));
    return this.add({
      path,
      fileName: basename(path),
      sizeBytes: info.size,
      staged: false,
      group: info.isDirectory(),
    });
  }

  /**
   * Stages an uploaded file. With `group`, files land in one folder under their relative paths (a folder of
   * calibration samples): `group: 'new'` starts a folder, a file reference of an earlier group adds to it.
   */
  async stageUpload(
    body: Readable,
    fileName: string,
    opts: { group?: string; maxBytes?: number } = {},
  ): Promise<PickedFile> {
    const maxBytes = opts.maxBytes ?? maxUploadBytes;
    // A single file keeps only its base name; a folder's files keep their (checked) relative paths.
    const relative =
      opts.group === undefined
        ? [
            basename(fileName.replace(/\\/g, '/'))
              .replace(/[^\w.\- ]/g, '_')
              .slice(0, 200) || 'upload.onnx',
          ]
        : safeRelativePath(fileName);
    let groupRef: string | undefined;
    let dir: string;
    if (opts.group === undefined || opts.group === 'new') {
      dir = join(this.stagingDir, randomBytes(8).toString('hex'));
      mkdirSync(dir);
    } else {
      groupRef = opts.group;
      const grant = this.grants.get(groupRef);
      if (!grant?.group)
        throw new AppError('NOT_FOUND', 'That upload folder is no longer available. Upload it again.');
      dir = grant.path;
    }
    const path = join(dir, ...relative);
    mkdirSync(join(path, '..'), { recursive: true });
    let size = 0;
    try {
      await pipeline(
        body,
        async function* limit(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) {
              throw new AppError('FILE_TOO_LARGE', `The upload is larger than ${maxBytes} bytes.`);
            }
            yield chunk;
          }
        },
        createWriteStream(path, { flags: 'wx' }),
      );
    } catch (err) {
      if (groupRef === undefined) await rm(dir, { recursive: true, force: true });
      else await rm(path, { force: true });
      throw err;
    }
    if (opts.group === undefined) {
      return this.add({ path, fileName: basename(path), sizeBytes: size, staged: true, group: false });
    }
    if (groupRef === undefined) {
      return this.add({
        path: dir,
        fileName: relative[0] ?? 'upload',
        sizeBytes: size,
        staged: true,
        group: true,
      });
    }
    const grant = this.grants.get(groupRef);
    if (!grant)
      throw new AppError('NOT_FOUND', 'That upload folder is no longer available. Upload it again.');
    grant.sizeBytes += size;
    return { fileRef: groupRef, fileName: grant.fileName, sizeBytes: grant.sizeBytes };
  }

  /** Remembers a file the user chose in a native dialog (a key file), without a reference to it. */
  choosePath(path: string): void {
    this.chosen.add(resolvePath(path));
  }

  /** Whether the user chose this exact file in a native dialog in this session. */
  isChosen(path: string): boolean {
    return this.chosen.has(resolvePath(path));
  }

  resolve(fileRef: string): { path: string; fileName: string } {
    const grant = this.grants.get(fileRef);
    if (!grant) {
      throw new AppError('NOT_FOUND', 'That file is no longer available. Choose or upload it again.');
    }
    return { path: grant.path, fileName: grant.fileName };
  }

  /** Forgets a reference; staged uploads are deleted. */
  async release(fileRef: string): Promise<void> {
    const grant = this.grants.get(fileRef);
    if (!grant) return;
    this.grants.delete(fileRef);
    if (grant.staged)
      await rm(grant.group ? grant.path : join(grant.path, '..'), { recursive: true, force: true });
  }

  /**
   * After a job used the file: staged uploads are deleted (the page uploads again for a re-run), while files the
   * user picked in a native dialog stay granted so the same choice can be used again.
   */
  async releaseIfStaged(fileRef: string): Promise<void> {
    if (this.grants.get(fileRef)?.staged) await this.release(fileRef);
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.grants.keys()].map((ref) => this.release(ref)));
  }

  private add(grant: Grant): PickedFile {
    const fileRef = `f_${randomBytes(16).toString('hex')}`;
    this.grants.set(fileRef, grant);
    return { fileRef, fileName: grant.fileName, sizeBytes: grant.sizeBytes };
  }
}

/** An upload's relative path, made safe: no absolute paths, no `..`, no odd characters. */
function safeRelativePath(name: string): string[] {
  const parts = name
    .split(/[/\\]+/)
    .filter((p) => p !== '' && p !== '.')
    .map((p) => p.replace(/[^\w.\- ]/g, '_').slice(0, 200));
  if (parts.some((p) => p === '..' || /^\.+$/.test(p))) {
    throw new AppError('BAD_REQUEST', `Upload path "${name}" is not allowed: use plain relative names.`);
  }
  return parts.length > 0 ? parts : ['upload'];
}
