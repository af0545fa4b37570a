import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import type { PickedFile } from '../../../../shared/contract';
import { AppError, toAppError } from '../../../../shared/errors';
import type { ImportResult } from '../../../../shared/schemas/models';
import type { RunningJob } from '../../api/client';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';

type ImportState =
  | { status: 'idle' }
  | { status: 'uploading'; fileName: string }
  | { status: 'running'; fileName: string; phase: string; percent: number | null }
  | { status: 'done'; result: ImportResult }
  | { status: 'failed'; error: AppError };

/**
 * The import flow: get a file reference (native dialog, or upload of a File the page holds), run the
 * models.import job with progress, then refresh the library. One import at a time per page.
 */
export function useImportModel() {
  const client = useClient();
  const queryClient = useQueryClient();
  const [state, setState] = useState<ImportState>({ status: 'idle' });
  const job = useRef<RunningJob<ImportResult> | null>(null);

  const runImport = useCallback(
    async (picked: PickedFile, name: string | undefined) => {
      setState({ status: 'running', fileName: picked.fileName, phase: 'starting', percent: null });
      const running = client.runJob(
        'models.import',
        name === undefined ? { fileRef: picked.fileRef } : { fileRef: picked.fileRef, name },
        {
          label: `Importing ${picked.fileName}`,
          onProgress: ({ phase, percent }) =>
            setState({ status: 'running', fileName: picked.fileName, phase, percent }),
        },
      );
      job.current = running;
      try {
        const result = await running.promise;
        // Refresh before reporting, so the selected row is in the table when the notice shows.
        await queryClient.invalidateQueries({ queryKey: callKey('models.list') });
        setState({ status: 'done', result });
      } finally {
        job.current = null;
      }
    },
    [client, queryClient],
  );

  /** Runs one import attempt; failures become the 'failed' state. Resolves true when a model was imported. */
  const guard = useCallback(async (work: () => Promise<boolean>): Promise<boolean> => {
    try {
      return await work();
    } catch (err) {
      setState({ status: 'failed', error: toAppError(err) });
      return false;
    }
  }, []);

  /** Electron: native dialog in main. Web: the browser's chooser, then upload. */
  const pickAndImport = useCallback(
    (name: string | undefined) =>
      guard(async () => {
        const picked = await client.pickModelFile();
        if (!picked) return false;
        await runImport(picked, name);
        return true;
      }),
    [client, guard, runImport],
  );

  /** Web console: a File from our own <input> or a drop. */
  const importFile = useCallback(
    (file: File, name: string | undefined) =>
      guard(async () => {
        if (!client.uploadFile) {
          throw new AppError(
            'BAD_REQUEST',
            'This window cannot upload files; use the Import button instead.',
          );
        }
        setState({ status: 'uploading', fileName: file.name });
        const picked = await client.uploadFile(file);
        await runImport(picked, name);
        return true;
      }),
    [client, guard, runImport],
  );

  const cancel = useCallback(() => {
    void job.current
      ?.cancel()
      .catch((err: unknown) => setState({ status: 'failed', error: toAppError(err) }));
  }, []);

  const dismiss = useCallback(() => setState({ status: 'idle' }), []);

  return { state, pickAndImport, importFile, cancel, dismiss, canUpload: client.uploadFile !== null };
}
