import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { PickedFile } from '../../../../shared/contract';
import { AppError, toAppError } from '../../../../shared/errors';
import type { ImportFormat, ImportReport } from '../../../../shared/schemas/fleet';
import { useClient } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { outcomeOfError, workingText, type ImportOutcome, type ImportSource } from './import-model';

/** The import dialog's state: the chosen file and options, and what the last attempt came to. */
export function useDeviceImport(onImported: (report: ImportReport) => void) {
  const client = useClient();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [source, setSource] = useState<ImportSource | null>(null);
  const [format, setFormat] = useState<ImportFormat | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [outcome, setOutcome] = useState<ImportOutcome>({ status: 'idle' });
  const canUpload = client.uploadFile !== null;
  const busy = outcome.status === 'working';

  const choose = async () => {
    if (canUpload) {
      input.current?.click();
      return;
    }
    try {
      const picked = await client.pickData('file', { use: 'inventories' });
      if (picked) {
        setSource({ kind: 'picked', picked });
        setOutcome({ status: 'idle' });
      }
    } catch (err) {
      setOutcome({ status: 'failed', error: toAppError(err) });
    }
  };

  const onFiles = (files: FileList | null) => {
    const file = files?.[0];
    if (file) {
      setSource({ kind: 'file', file });
      setOutcome({ status: 'idle' });
    }
    if (input.current) input.current.value = '';
  };

  /** A reference is used up by one import (main deletes the upload): each attempt sends the file again. */
  const referenceFor = async (from: ImportSource): Promise<PickedFile> => {
    if (from.kind === 'picked') return from.picked;
    if (!client.uploadFile) throw new AppError('BAD_REQUEST', 'This window cannot upload files.');
    return client.uploadFile(from.file);
  };

  const run = async (skip: boolean) => {
    if (!source) return;
    setOutcome({ status: 'working', what: workingText(source) });
    try {
      const ref = await referenceFor(source);
      // The native dialog's reference is released by main after use: the next attempt picks again.
      if (source.kind === 'picked') setSource(null);
      const report = await client.call('devices.import', {
        fileRef: ref.fileRef,
        ...(format === null ? {} : { format }),
        ...(skip ? { skipInvalid: true } : {}),
      });
      await queryClient.invalidateQueries({ queryKey: callKey('devices.list') });
      setOutcome({ status: 'done', report });
      onImported(report);
    } catch (err) {
      setOutcome(outcomeOfError(err));
    }
  };

  // The file input's ref apart from the state: components read the state during render, never the ref.
  return {
    input,
    state: {
      canUpload,
      busy,
      source,
      format,
      setFormat,
      skipInvalid,
      setSkipInvalid,
      outcome,
      choose,
      onFiles,
      run,
    },
  };
}

export type DeviceImport = ReturnType<typeof useDeviceImport>['state'];
