import packageJson from '../../package.json' with { type: 'json' };
import { AppError } from '../../shared/errors';
import type { DataInput } from '../../shared/contract';
import type { DataSpec } from '../../shared/schemas/optimize';
import type { Services } from '../core/services';
import { modelLineage } from '../core/lineage';
import { onnxRuntimeVersion } from '../core/runtime/ort-load-check';
import type { Handlers } from './dispatcher';
import { jobProgress } from '../core/fleet/service';
import { createBenchHandlers } from './bench-handlers';
import { createDeployHandlers } from './deploy-handlers';
import { defaultKeyDirs, KeyPathPolicy } from '../core/fleet/devices/key-path-policy';

/** What differs between the desktop shell and the web console. */
export type Shell = {
  kind: 'electron' | 'web';
  /** A native "open file" dialog; absent in the web console, where the UI uploads instead. */
  pickModelFile?: () => Promise<string | null>;
  /** A native dialog for data (calibration/evaluation samples, an inventory, a profile): a file, or a folder. */
  pickData?: (kind: 'file' | 'folder', use: 'data' | 'inventories' | 'profiles') => Promise<string | null>;
  /** Whether ticked secrets can be kept encrypted (the desktop app's safeStorage); absent = never. */
  canRememberSecrets?: () => boolean;
  /** A native dialog for an SSH private key file. */
  pickKeyFile?: () => Promise<string | null>;
};

/** Turns the UI's data choice (file references) into the core's data spec (paths). */
function toDataSpec(files: Services['files'], input: DataInput | undefined): DataSpec | undefined {
  if (!input || input.kind === 'random') return input;
  const { path } = files.resolve(input.fileRef);
  return input.kind === 'npy'
    ? { kind: 'npy', path }
    : { kind: 'images', path, preprocess: input.preprocess };
}

/** Key paths in a device record from the untrusted UI: ~/.ssh or chosen in a native dialog (see KeyPathPolicy). */
function checkKeyPathOf(policy: KeyPathPolicy, input: unknown): void {
  if (typeof input !== 'object' || input === null) return;
  const keyPath = (input as { keyPath?: unknown }).keyPath;
  if (typeof keyPath === 'string') policy.check(keyPath);
}

export function createHandlers(
  services: Services,
  shell: Shell,
  keyPaths: KeyPathPolicy = new KeyPathPolicy(defaultKeyDirs(), (p) => services.files.isChosen(p)),
): Handlers {
  const { models, jobs, files } = services;
  return {
    'app.info': () => ({
      version: packageJson.version,
      dataDir: services.dataDir,
      onnxRuntimeVersion,
      shell: shell.kind,
      canRememberSecrets: shell.canRememberSecrets?.() ?? false,
    }),
    'files.pickModel': async () => {
      if (!shell.pickModelFile) {
        throw new AppError('BAD_REQUEST', 'No file dialog in the web console: upload the file instead.');
      }
      const path = await shell.pickModelFile();
      return path === null ? null : files.grantPath(path);
    },
    'files.pickData': async ({ kind, use }) => {
      if (!shell.pickData) {
        throw new AppError('BAD_REQUEST', 'No file dialog in the web console: upload the data instead.');
      }
      const path = await shell.pickData(kind, use ?? 'data');
      return path === null ? null : files.grantPath(path);
    },
    'files.pickKey': async () => {
      if (!shell.pickKeyFile) {
        throw new AppError(
          'BAD_REQUEST',
          'No file dialog in the web console: put the key in ~/.ssh and type its path.',
        );
      }
      const path = await shell.pickKeyFile();
      if (path === null) return null;
      files.choosePath(path);
      return { keyPath: path };
    },
    'optimize.run': ({ model, name, options, calibration, evaluation }) => {
      // The window is untrusted: it names a student from the library, never a path on this machine.
      if (options.method === 'distill') {
        const student = options.config.student;
        const ref = /^model:(.+)$/.exec(student)?.[1];
        if (ref !== undefined) models.get(ref);
        else if (student !== 'self' && !student.startsWith('width:')) {
          throw new AppError(
            'BAD_REQUEST',
            `Student '${student}': choose self, width:F (0 < F ≤ 1) or model:<id> of an imported model.`,
          );
        }
      }
      const request = {
        model,
        name,
        options,
        calibration: toDataSpec(files, calibration),
        evaluation: toDataSpec(files, evaluation),
      };
      const refs = [calibration, evaluation].flatMap((d) => (d && d.kind !== 'random' ? [d.fileRef] : []));
      const { jobId } = jobs.start('optimize.run', async ({ signal, progress }) => {
        try {
          return await services.optimize.optimize(request, { signal, onProgress: progress });
        } finally {
          await Promise.all(refs.map((ref) => files.releaseIfStaged(ref)));
        }
      });
      return { jobId };
    },
    'models.list': () => models.list(),
    'models.get': ({ ref }) => models.get(ref),
    'models.lineage': ({ ref }) => modelLineage(services, ref),
    'models.import': ({ fileRef, name }) => {
      const file = files.resolve(fileRef);
      const { jobId } = jobs.start('models.import', async ({ signal, progress }) => {
        try {
          return await models.importFile(file.path, {
            name,
            sourceFileName: file.fileName,
            signal,
            onProgress: progress,
          });
        } finally {
          await files.release(fileRef);
        }
      });
      return { jobId };
    },
    'models.remove': ({ ref }) => models.remove(ref),
    'jobs.get': ({ jobId }) => jobs.state(jobId),
    'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'devices.list': ({ tag }) => services.fleet.list({ tag }),
    'devices.get': ({ ref }) => services.fleet.get(ref),
    'devices.add': (input) => {
      checkKeyPathOf(keyPaths, input);
      return services.fleet.add(input);
    },
    'devices.update': ({ ref, patch }) => {
      checkKeyPathOf(keyPaths, patch);
      return services.fleet.update(ref, patch);
    },
    'devices.remove': ({ ref }) => services.fleet.remove(ref),
    'devices.checkKeyFile': ({ path }) => {
      // The same rule as add/edit, before the file is touched: a refusal never says whether the path exists.
      if (path.trim() !== '') keyPaths.check(path);
      return services.fleet.checkKeyFile(path);
    },
    'devices.tag': ({ refs, add, remove }) => services.fleet.tag(refs, { add, remove }),
    'devices.scanHostKeys': ({ targets }) => {
      const devices = services.fleet.resolve(targets);
      const { jobId } = jobs.start('devices.scanHostKeys', ({ signal, progress }) =>
        services.fleet.scanHostKeys(
          devices.map((d) => d.id),
          { signal, onProgress: jobProgress('scan', progress) },
        ),
      );
      return { jobId };
    },
    'devices.trust': ({ devices }) => services.fleet.trustSeen(devices),
    'devices.probe': ({ targets }) => {
      // Resolved now, so a typo fails the call itself instead of a job.
      const devices = services.fleet.resolve(targets);
      const { jobId } = jobs.start('devices.probe', ({ signal, progress }) =>
        services.fleet.probe(
          devices.map((d) => d.id),
          { signal, onProgress: jobProgress('probe', progress) },
        ),
      );
      return { jobId };
    },
    'devices.status': ({ targets }) => {
      const devices = services.fleet.resolve(targets);
      const { jobId } = jobs.start('devices.status', ({ signal, progress }) =>
        services.fleet.status(
          devices.map((d) => d.id),
          { signal, onProgress: jobProgress('status', progress) },
        ),
      );
      return { jobId };
    },
    'devices.provideSecret': ({ ref, kind, secret, remember }) => {
      const remembered = services.fleet.provideSecret(ref, kind, secret, remember === true);
      return { ok: true as const, remembered };
    },
    'devices.import': async ({ fileRef, format, skipInvalid }) => {
      const file = files.resolve(fileRef);
      try {
        return await services.fleet.importFile(file.path, format, {
          skipInvalid: skipInvalid === true,
          checkKeyPath: (path) => keyPaths.check(path),
        });
      } finally {
        await files.release(fileRef);
      }
    },
    'devices.export': ({ format, tag }) => services.fleet.export(format, { tag }),
    ...createBenchHandlers(services),
    ...createDeployHandlers(services),
  };
}
