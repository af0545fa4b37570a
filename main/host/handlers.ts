import packageJson from '../../package.json' with { type: 'json' };
import { AppError } from '../../shared/errors';
import type { Services } from '../core/services';
import { onnxRuntimeVersion } from '../core/runtime/ort-load-check';
import type { Handlers } from './dispatcher';

/** What differs between the desktop shell and the web console. */
export type Shell = {
  kind: 'electron' | 'web';
  /** A native "open file" dialog; absent in the web console, where the UI uploads instead. */
  pickModelFile?: () => Promise<string | null>;
};

export function createHandlers(services: Services, shell: Shell): Handlers {
  const { models, jobs, files } = services;
  return {
    'app.info': () => ({
      version: packageJson.version,
      dataDir: services.dataDir,
      onnxRuntimeVersion,
      shell: shell.kind,
    }),
    'files.pickModel': async () => {
      if (!shell.pickModelFile) {
        throw new AppError('BAD_REQUEST', 'No file dialog in the web console: upload the file instead.');
      }
      const path = await shell.pickModelFile();
      return path === null ? null : files.grantPath(path);
    },
    'models.list': () => models.list(),
    'models.get': ({ ref }) => models.get(ref),
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
    'jobs.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
  };
}
