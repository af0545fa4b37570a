import { Alert, Button, Group, NumberInput, SegmentedControl, Stack, Text } from '@mantine/core';
import { useId, useRef, useState } from 'react';
import { toAppError, type AppError } from '../../../../shared/errors';
import type { Model } from '../../../../shared/schemas/models';
import { useClient } from '../../api/client-context';
import { ErrorAlert } from '../../components/error-alert';
import { AlertIcon } from '../../components/icons';
import { formatBytes, formatShape } from '../../lib/format';
import { ImagePreprocessFields } from './image-preprocess-fields';
import { detectFormat, emptyData, type DataChoice, type DataFormat, type DataSource } from './optimize-form';

type Kind = DataChoice['kind'];

type DataSourceFieldProps = {
  label: string;
  /** Which choices this field offers, with their labels ("Held-out calibration samples" …). */
  kinds: ReadonlyArray<{ kind: Kind; label: string }>;
  value: DataChoice;
  onChange: (value: DataChoice) => void;
  model: Model | undefined;
  /** Prefix of the test ids: `calibration`, `evaluation`. */
  testId: string;
  disabled?: boolean;
  /** Shown under the choice when it is 'none'. */
  noneHelp?: string;
};

/**
 * Calibration or evaluation data: a folder or an .npy file (uploaded from the browser, or chosen in the
 * desktop's dialog), or N random samples with a visible warning.
 */
export function DataSourceField(props: DataSourceFieldProps) {
  const { label, kinds, value, onChange, model, testId, disabled, noneHelp } = props;
  const id = useId();
  const switchTo = (kind: Kind) => {
    if (kind === value.kind) return;
    if (kind === 'none') onChange({ kind: 'none' });
    else if (kind === 'random') onChange({ kind: 'random', count: 32, seed: 1 });
    else onChange(emptyData());
  };
  return (
    <Stack gap={6} data-testid={`${testId}-field`}>
      <Text size="xs" fw={500} id={`${id}-label`}>
        {label}
      </Text>
      <SegmentedControl
        size="xs"
        fullWidth
        value={value.kind}
        onChange={(v) => switchTo(v as Kind)}
        data={kinds.map((k) => ({ value: k.kind, label: k.label }))}
        aria-labelledby={`${id}-label`}
        disabled={disabled}
        data-testid={`${testId}-kind`}
      />
      {value.kind === 'none' && noneHelp && (
        <Text size="xs" c="dimmed">
          {noneHelp}
        </Text>
      )}
      {value.kind === 'random' && (
        <RandomFields value={value} onChange={onChange} testId={testId} disabled={disabled} />
      )}
      {value.kind === 'data' && (
        <DataFields value={value} onChange={onChange} model={model} testId={testId} disabled={disabled} />
      )}
    </Stack>
  );
}

function RandomFields({
  value,
  onChange,
  testId,
  disabled,
}: {
  value: Extract<DataChoice, { kind: 'random' }>;
  onChange: (value: DataChoice) => void;
  testId: string;
  disabled?: boolean;
}) {
  return (
    <>
      <Group gap="xs" grow>
        <NumberInput
          size="xs"
          label="Samples"
          min={1}
          max={10_000}
          allowDecimal={false}
          value={value.count}
          onChange={(v) => typeof v === 'number' && onChange({ ...value, count: v })}
          disabled={disabled}
          data-testid={`${testId}-random-count`}
        />
        <NumberInput
          size="xs"
          label="Seed"
          allowDecimal={false}
          value={value.seed}
          onChange={(v) => typeof v === 'number' && onChange({ ...value, seed: v })}
          disabled={disabled}
        />
      </Group>
      <Alert
        color="orange"
        variant="light"
        p={6}
        icon={<AlertIcon size={16} />}
        data-testid={`${testId}-random-warning`}
      >
        <Text size="xs">
          Random inputs are not your data: ranges and fidelity figures are not meaningful for real inputs, and
          accuracy cannot be judged. Use it to try the pipeline, not to ship.
        </Text>
      </Alert>
    </>
  );
}

type DataValue = Extract<DataChoice, { kind: 'data' }>;

function DataFields({
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
  disabled?: boolean;
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
  const onFiles = (mode: 'file' | 'folder', list: FileList | null) => {
    const files = [...(list ?? [])];
    if (files.length > 0) {
      const first = files[0]!;
      const name = mode === 'folder' ? (first.webkitRelativePath.split('/')[0] ?? first.name) : first.name;
      const sizeBytes = files.reduce((sum, f) => sum + f.size, 0);
      select(
        { origin: 'upload', mode, name, files, sizeBytes },
        files.map((f) => f.name),
      );
    }
    for (const input of [folderInput.current, fileInput.current]) if (input) input.value = '';
  };

  const choose = async (mode: 'file' | 'folder') => {
    if (canUpload) {
      (mode === 'folder' ? folderInput : fileInput).current?.click();
      return;
    }
    setPicking(true);
    try {
      const picked = await client.pickData(mode);
      if (picked) select({ origin: 'dialog', mode, picked }, mode === 'file' ? [picked.fileName] : []);
    } catch (err) {
      setError(toAppError(err));
    } finally {
      setPicking(false);
    }
  };

  const input = model?.summary.inputs[0];
  const shape = input?.shape ? formatShape(input.shape) : null;
  const source = value.source;

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
          <>
            <input
              ref={(el) => {
                folderInput.current = el;
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
              ref={fileInput}
              type="file"
              accept=".npy"
              hidden
              aria-label={`${testId} .npy file`}
              data-testid={`${testId}-file-input`}
              onChange={(e) => onFiles('file', e.currentTarget.files)}
            />
          </>
        )}
      </Group>
      {source ? (
        <Text size="xs" data-testid={`${testId}-source`}>
          <b>{source.origin === 'upload' ? source.name : source.picked.fileName}</b>
          {source.mode === 'folder' ? '/' : ''} —{' '}
          {source.origin === 'upload'
            ? `${source.mode === 'folder' ? `${source.files.length} files, ` : ''}${formatBytes(source.sizeBytes)}${
                source.mode === 'folder' ? ' (uploaded when the run starts)' : ''
              }`
            : formatBytes(source.picked.sizeBytes)}
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
