import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../../../shared/errors';
import { sha256File } from '../../files/sha256-file';
import type { DeployPlan } from '../plan';
import { bundleFiles, bundleTexts, type InventoryFile } from './playbook';
import { readmeFor } from './readme';

/**
 * Writes the Ansible project of a plan into a directory, all or nothing: everything goes into a hidden
 * sibling first (the model copied and its sha256 checked again), then one rename makes it appear. The
 * directory must not exist, or be empty: a bundle never overwrites anything.
 */
export async function writeAnsibleBundle(
  dir: string,
  plan: DeployPlan,
  inventory: InventoryFile,
  forks: number,
): Promise<string> {
  const target = resolve(dir);
  const texts = bundleTexts(plan, inventory, forks);
  let existing: string[] | null = null;
  try {
    existing = await readdir(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AppError(
        'FILE_UNREADABLE',
        `Cannot use ${target} for the Ansible project: ${(err as Error).message}`,
      );
    }
  }
  if (existing !== null && existing.length > 0) {
    throw new AppError(
      'BAD_REQUEST',
      `${target} is not empty. Choose a new (or empty) directory for the Ansible project; nothing was written.`,
    );
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.edgefleet-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    for (const [name, text] of Object.entries(texts)) {
      await writeFile(join(staging, name), text, { mode: 0o600, flag: 'wx' });
    }
    await writeFile(join(staging, bundleFiles.readme), readmeFor(plan, inventory, forks), {
      mode: 0o600,
      flag: 'wx',
    });
    const model = join(staging, bundleFiles.model);
    await copyFile(plan.artifact.localPath, model, constants.COPYFILE_EXCL);
    const actual = await sha256File(model);
    if (actual !== plan.artifact.sha256) {
      throw new AppError(
        'CHECKSUM_MISMATCH',
        `The model file ${plan.artifact.localPath} has sha256 ${actual}, not ${plan.artifact.sha256}: it changed since it was imported. Re-import the model. Nothing was written.`,
      );
    }
    if (existing !== null) await rm(target, { recursive: true });
    await rename(staging, target);
    return target;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
