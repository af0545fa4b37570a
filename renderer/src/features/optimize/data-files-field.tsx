import { Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useId, useRef, useState, type RefObject } from 'react';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { Model } from '../../../../shared/schemas/models';
import { useClient } from '../../api/client-context';
import { ErrorAlert } from '../../components/error-alert';
import { formatShape } from '../../lib/format';
import { describeSource, pickedSource, uploadedSource, type DataMode } from './data-source';
import { ImagePreprocessFields } from './image-preprocess-fields';
import { detectFormat, type DataChoice, type DataFormat, type DataSource } from './optimize-form';

type DataValue = Extract<DataChoice, { kind: 'data' }>;

/**
 * The user's own data: a folder or an .npy file, uploaded from the browser or chosen in the desktop's dialog,
 * then its format (and, for images, how they become tensors).
 */
export function DataFilesField({
  value,
  onChange,
  model,
  testId,
  disabled,
}: {
  value: DataValue;
  onChange: (value: DataChoice) => void;
  model: Model | undefined;
  testId: string;
  disabled?: boolean | undefined;
}) {
  const client = useClient();
  const folderInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [picking, setPicking] = useState(false);
  const canUpload = client.uploadFile !== null && client.uploadFolder !== null;
  const id = useId();

  const select = (source: DataSource, names: readonly string[]) => {
    setError(null);
    onChange({ ...value, source, format: names.length > 0 ? detectFormat(names) : value.format });
  };

  // The browser: our own inputs hold the Files, which are uploaded when a run starts (and again on a re-run).
  const onFiles = (mode: DataMode, list: FileList | null) => {
    const files = [...(list ?? [])];
    const source = uploadedSource(mode, files);
    if (source)
      select(
        source,
        files.map((f) => f.name),
      );
    // Cleared so that choosing the same files again still fires a change.
    for (const input of [folderInput.current, fileInput.current]) if (input) input.value = '';
  };

  const choose = async (mode: DataMode) => {
    if (canUpload) {
      (mode === 'folder' ? folderInput : fileInput).current?.click();
      return;
    }
    setPicking(true);
    try {
      const picked = await client.pickData(mode);
      if (picked) {
        const { source, names } = pickedSource(mode, picked);
        select(source, names);
      }
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setPicking(false);
    }
  };

  const input = model?.summary.inputs[0];
  const shape = input?.shape ? formatShape(input.shape) : null;
  const source = value.source;
  const described = source ? describeSource(source) : null;

  return (
    <Stack gap={6}>
      <Group gap="xs">
        <Button
          size="compact-xs"
          variant="default"
          onClick={() => void choose('folder')}
          disabled={disabled || picking}
          data-testid={`${testId}-choose-folder`}
        >
          Folder…
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          onClick={() => void choose('file')}
          disabled={disabled || picking}
          data-testid={`${testId}-choose-file`}
        >
          .npy file…
        </Button>
        {source && (
          <Button
            size="compact-xs"
            variant="subtle"
            color="gray"
            onClick={() => onChange({ ...value, source: null })}
            disabled={disabled}
          >
            Clear
          </Button>
        )}
        {canUpload && (
          <UploadInputs
            testId={testId}
            folderInputRef={folderInput}
            fileInputRef={fileInput}
            onFiles={onFiles}
          />
        )}
      </Group>
      {described ? (
        <Text size="xs" data-testid={`${testId}-source`}>
          <b>{described.name}</b>
          {described.folder ? '/' : ''} — {described.detail}
        </Text>
      ) : (
        <Text size="xs" c="dimmed">
          A folder of .npy files (one per sample{shape ? `, shaped ${shape} or without the batch axis` : ''};
          or one subfolder per input), one .npy with a leading sample axis, or a folder of PNG/JPEG images.
        </Text>
      )}
      {source && (
        <Group gap="xs" align="center">
          <Text size="xs" fw={500} id={`${id}-format`}>
            Format
          </Text>
          <SegmentedControl
            size="xs"
            value={value.format}
            onChange={(v) => onChange({ ...value, format: v as DataFormat })}
            data={[
              { value: 'npy', label: '.npy arrays' },
              { value: 'images', label: 'Images', disabled: source.mode === 'file' },
            ]}
            aria-labelledby={`${id}-format`}
            disabled={disabled}
            data-testid={`${testId}-format`}
          />
        </Group>
      )}
      {source && value.format === 'images' && (
        <ImagePreprocessFields
          value={value.preprocess}
          onChange={(preprocess) => onChange({ ...value, preprocess })}
          testId={`${testId}-preprocess`}
          disabled={disabled}
        />
      )}
      {error && <ErrorAlert title="Cannot use that data" error={error} onClose={() => setError(null)} />}
    </Stack>
  );
}

/** The browser's hidden file inputs, clicked by the buttons above. */
function UploadInputs({
  testId,
  folderInputRef,
  fileInputRef,
  onFiles,
}: {
  testId: string;
  folderInputRef: RefObject<HTMLInputElement | null>;
  fileInputRef: RefObject<HTMLInputElement | null>;
  onFiles: (mode: DataMode, list: FileList | null) => void;
}) {
  return (
    <>
      <input
        ref={(el) => {
          folderInputRef.current = el;
          // React has no typed prop for it; the attribute makes the chooser pick a folder.
          if (el) el.webkitdirectory = true;
        }}
        type="file"
        multiple
        hidden
        aria-label={`${testId} data folder`}
        data-testid={`${testId}-folder-input`}
        onChange={(e) => onFiles('folder', e.currentTarget.files)}
      />
      <input
        ref={fileInputRef}
        type="file"
        accept=".npy"
        hidden
        aria-label={`${testId} .npy file`}
        data-testid={`${testId}-file-input`}
        onChange={(e) => onFiles('file', e.currentTarget.files)}
      />
    </>
  );
}
