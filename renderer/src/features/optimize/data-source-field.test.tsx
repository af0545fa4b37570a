// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { PickedFile } from '../../../../shared/contract';
import { AppError } from '../../../../shared/errors';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import type { Transport } from '../../api/transport';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { DataSourceField } from './data-source-field';
import { emptyData, type DataChoice } from './optimize-form';

const kinds = [
  { kind: 'data', label: 'My data' },
  { kind: 'random', label: 'Random' },
  { kind: 'none', label: 'None' },
] as const;

function Harness({ initial }: { initial: DataChoice }) {
  const [value, setValue] = useState<DataChoice>(initial);
  return (
    <>
      <DataSourceField
        label="Calibration data"
        kinds={kinds}
        value={value}
        onChange={setValue}
        model={undefined}
        testId="calibration"
        noneHelp="Nothing to calibrate with."
      />
      <output data-testid="value">{JSON.stringify(value)}</output>
    </>
  );
}

/** The desktop (a dialog picks the data) or the browser (our own file inputs, uploaded later). */
function renderField(transport: Partial<Transport>, initial: DataChoice = emptyData()) {
  const fake = createFakeTransport();
  renderUi(
    <ClientProvider client={createClient({ ...fake.transport, ...transport })}>
      <Harness initial={initial} />
    </ClientProvider>,
  );
}

const value = () => JSON.parse(screen.getByTestId('value').textContent ?? 'null') as DataChoice;

describe('DataSourceField', () => {
  it('takes a file chosen in the desktop dialog and reads its format from the name', async () => {
    const picked: PickedFile = { fileRef: 'f_1', fileName: 'samples.npy', sizeBytes: 2048 };
    renderField({ pickData: (mode) => Promise.resolve(mode === 'file' ? picked : null) });
    expect(screen.queryByTestId('calibration-file-input')).toBeNull();
    fireEvent.click(screen.getByTestId('calibration-choose-file'));
    expect((await screen.findByTestId('calibration-source')).textContent).toBe('samples.npy — 2 KiB');
    expect(value()).toMatchObject({ kind: 'data', format: 'npy', source: { origin: 'dialog', picked } });
    fireEvent.click(screen.getByText('Clear'));
    expect(screen.queryByTestId('calibration-source')).toBeNull();
  });

  it('says why the dialog failed, keeps the choice empty, and lets the message be closed', async () => {
    renderField({ pickData: () => Promise.reject(new AppError('FILE_UNREADABLE', 'Cannot read /root.')) });
    fireEvent.click(screen.getByTestId('calibration-choose-folder'));
    expect(await screen.findByText('Cannot use that data')).toBeTruthy();
    expect(screen.getByTestId('error-code').textContent).toBe('FILE_UNREADABLE');
    expect(value()).toMatchObject({ kind: 'data', source: null });
    expect((screen.getByTestId('calibration-choose-folder') as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(screen.queryByText('Cannot use that data')).toBeNull());
  });

  it('holds files chosen in the browser until the run uploads them; images offer pre-processing', () => {
    const upload = () => Promise.reject(new Error('not in this test'));
    renderField({ uploadFile: upload, uploadFolder: upload });
    const images = ['a.png', 'b.png'].map((name) => {
      const file = new File([new Uint8Array(512)], name);
      Object.defineProperty(file, 'webkitRelativePath', { value: `imgs/${name}` });
      return file;
    });
    fireEvent.change(screen.getByTestId('calibration-folder-input'), { target: { files: images } });
    expect(screen.getByTestId('calibration-source').textContent).toBe(
      'imgs/ — 2 files, 1 KiB (uploaded when the run starts)',
    );
    expect(value()).toMatchObject({
      kind: 'data',
      format: 'images',
      source: { origin: 'upload', name: 'imgs' },
    });
    expect(screen.getByTestId('calibration-preprocess')).toBeTruthy();
  });

  it('warns that random samples are not real data, and switches back to none with its help', () => {
    renderField({}, { kind: 'random', count: 32, seed: 1 });
    expect(screen.getByTestId('calibration-random-warning').textContent).toMatch(/not your data/);
    fireEvent.change(screen.getByTestId('calibration-random-count'), { target: { value: '8' } });
    expect(value()).toEqual({ kind: 'random', count: 8, seed: 1 });
    fireEvent.click(screen.getByText('None'));
    expect(value()).toEqual({ kind: 'none' });
    expect(screen.getByText('Nothing to calibrate with.')).toBeTruthy();
  });
});
