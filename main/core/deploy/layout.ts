import { AppError } from '../../../shared/errors';
import { releaseNameSchema } from '../../../shared/schemas/deploy';
import { lockDirName } from './remote-scripts';
import type { DeployArtifact } from './types';

/**
 * The remote layout (ARCHITECTURE.md):
 *
 *     <deployRoot>/<model>/releases/<version>-<sha8>/model.onnx + manifest.json
 *     <deployRoot>/<model>/current  -> releases/<…>   (the active release, switched atomically)
 *     <deployRoot>/<model>/previous -> releases/<…>   (what `current` was before the last switch)
 *     <deployRoot>/<model>/.undo                      (state before the last switch, to switch back)
 *     <deployRoot>/<model>/releases/.incoming-<deploymentId>-<release>  (upload in progress)
 *     <deployRoot>/.edgefleet-lock/owner             (the deployment holding the device: id, start, model)
 *
 * Temporary names carry the deployment id, so a preflight removes only those of other, finished
 * deployments (it runs under the device lock) and never a live one's.
 *
 * Links are relative (`releases/…`) so a deploy root can be moved or mounted elsewhere.
 */

export type RemotePaths = {
  deployRoot: string;
  modelDir: string;
  releasesDir: string;
  releaseDir: string;
  modelFile: string;
  manifestFile: string;
  currentLink: string;
  /** The active model through the link: what restart and health commands get as `$1`. */
  currentModelFile: string;
  tempFile: string;
  lockDir: string;
};

const modelFileName = 'model.onnx';
const manifestFileName = 'manifest.json';

const sha256Pattern = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what these refuse
const controlOrSlash = /[\x00-\x1f/\\]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what these refuse
const control = /[\x00-\x1f]/;

/** `<version>-<sha8>`. */
export function releaseName(version: string, sha256: string): string {
  return `${version}-${sha256.slice(0, 8)}`;
}

/** `2024-05-01T12:34:56.789Z` → `20240501-123456` (UTC). */
export function versionFromImportedAt(importedAt: string): string {
  const date = new Date(importedAt);
  if (Number.isNaN(date.getTime())) {
    throw new AppError(
      'BAD_REQUEST',
      `"${importedAt}" is not a date; a version needs the variant's import time.`,
    );
  }
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

export function remotePaths(
  deployRoot: string,
  modelName: string,
  release: string,
  deploymentId: string,
): RemotePaths {
  const root = deployRoot.length > 1 ? deployRoot.replace(/\/+$/, '') : deployRoot;
  const modelDir = root === '/' ? `/${modelName}` : `${root}/${modelName}`;
  const releasesDir = `${modelDir}/releases`;
  const releaseDir = `${releasesDir}/${release}`;
  return {
    deployRoot: root,
    modelDir,
    releasesDir,
    releaseDir,
    modelFile: `${releaseDir}/${modelFileName}`,
    manifestFile: `${releaseDir}/${manifestFileName}`,
    currentLink: `${modelDir}/current`,
    currentModelFile: `${modelDir}/current/${modelFileName}`,
    tempFile: `${releasesDir}/.incoming-${deploymentId}-${release}`,
    lockDir: root === '/' ? `/${lockDirName}` : `${root}/${lockDirName}`,
  };
}

/**
 * The model name becomes one directory name on every device. Quoting makes any name safe to pass to the
 * shell; these rules make it a single, visible path component.
 */
export function assertModelDirName(name: string): void {
  if (name.length === 0 || name.length > 120 || controlOrSlash.test(name) || name === '.' || name === '..') {
    throw new AppError(
      'BAD_REQUEST',
      `The model name "${name}" cannot be a directory name on a device (1–120 characters, no slashes or control characters, not "." or ".."). Rename the model.`,
    );
  }
  if (name.startsWith('.')) {
    throw new AppError(
      'BAD_REQUEST',
      `The model name "${name}" starts with a dot (a hidden directory). Rename the model.`,
    );
  }
}

export function assertDeployRoot(root: string, deviceName: string): void {
  if (!root.startsWith('/') || control.test(root)) {
    throw new AppError(
      'BAD_REQUEST',
      `Device ${deviceName}: the deploy root "${root}" must be an absolute path without control characters (e.g. /opt/edgefleet). Edit the device.`,
    );
  }
}

export function assertArtifact(artifact: DeployArtifact): void {
  assertModelDirName(artifact.modelName);
  if (!sha256Pattern.test(artifact.sha256)) {
    throw new AppError(
      'BAD_REQUEST',
      `The artifact's sha256 "${artifact.sha256}" is not 64 lower-case hex digits.`,
    );
  }
  if (!Number.isSafeInteger(artifact.sizeBytes) || artifact.sizeBytes < 0) {
    throw new AppError('BAD_REQUEST', `The artifact's size ${artifact.sizeBytes} is not a byte count.`);
  }
  if (!releaseNameSchema.safeParse(artifact.version).success || artifact.version.length > 120) {
    throw new AppError(
      'BAD_REQUEST',
      `The version "${artifact.version}" cannot be part of a directory name: use letters, digits, ".", "_" and "-" (e.g. 20240501-123456).`,
    );
  }
  if (artifact.variantId.length === 0) {
    throw new AppError('BAD_REQUEST', 'The artifact has no variant id.');
  }
  if (artifact.parentSha256 !== null && !sha256Pattern.test(artifact.parentSha256)) {
    throw new AppError(
      'BAD_REQUEST',
      `The parent sha256 "${artifact.parentSha256}" is not 64 lower-case hex digits.`,
    );
  }
}

/** `releases/<name>` → `<name>`; anything else (a hand-made link) → null. */
export function releaseFromLink(target: string | null): string | null {
  if (target === null || !target.startsWith('releases/')) return null;
  const name = target.slice('releases/'.length);
  return releaseNameSchema.safeParse(name).success ? name : null;
}
