import type { SshTarget } from '../fleet/ssh';

/**
 * Inputs of a deploy, as plain data: the fleet inventory (or a test) turns device records into targets,
 * the model library turns a variant into an artifact. Nothing here reads the database.
 */
export type DeployTarget = {
  deviceId: string;
  deviceName: string;
  ssh: SshTarget;
  /** Absolute path on the device; `<deployRoot>/<model>/…` is EdgeFleet's (see layout.ts). */
  deployRoot: string;
  /**
   * Shell text the device's owner configured, run after a switch (and again after switching back) as
   * `sh -c <command> edgefleet <modelFile> <modelDir>`: `$1` is `<modelDir>/current/model.onnx`.
   */
  restartCommand: string | null;
  /** Same form as restartCommand; exit 0 = healthy. Retried (see DeployOptions.healthAttempts). */
  healthCommand: string | null;
};

export type DeployArtifact = {
  /** The model's name: the directory under the deploy root that holds its releases. */
  modelName: string;
  variantId: string;
  /**
   * Part of the release directory name `<version>-<sha8>`. EdgeFleet uses the variant's import time in
   * UTC, `YYYYMMDD-HHMMSS` (see versionFromImportedAt): stable for a variant without any counter to keep,
   * and release directories then sort by age.
   */
  version: string;
  sha256: string;
  sizeBytes: number;
  localPath: string;
  method: string | null;
  recipe: unknown;
  parentSha256: string | null;
};
