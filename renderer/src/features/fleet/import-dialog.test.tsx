// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../../../shared/schemas/fleet';
import type { Result } from '../../../../shared/result';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { ImportDialog } from './import-dialog';

const picked = { fileRef: `f_${'a'.repeat(32)}`, fileName: 'fleet.csv', sizeBytes: 2048 };

function report(overrides: Partial<ImportReport> = {}): ImportReport {
  return {
    format: 'csv',
    applied: true,
    counts: { added: 0, updated: 0, unchanged: 0, skipped: 0, rejected: 0 },
    rows: [],
    notes: [],
    ...overrides,
  };
}

const refused = report({
  applied: false,
  counts: { added: 1, updated: 0, unchanged: 0, skipped: 0, rejected: 1 },
  rows: [
    { line: 2, name: 'pi-1', action: 'added', reason: null, changes: ['host'] },
    { line: 3, name: 'pi-2', action: 'rejected', reason: 'port: must be 1–65535', changes: [] },
  ],
});

function renderImport(answer: (params: unknown) => Result<unknown>, web = false) {
  const fake = createFakeTransport({
    'devices.import': answer,
    'devices.list': () => ({ ok: true, value: [] }),
  });
  // The desktop path: a native dialog's reference; the web console's: an upload of a File it holds.
  fake.transport.pickData = () => Promise.resolve(picked);
  if (web) fake.transport.uploadFile = () => Promise.resolve(picked);
  const imported: ImportReport[] = [];
  renderUi(
    <QueryClientProvider client={new QueryClient()}>
      <ClientProvider client={createClient(fake.transport)}>
        <ImportDialog opened onClose={() => {}} onImported={(r) => imported.push(r)} />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, imported };
}

async function chooseAndImport() {
  fireEvent.click(await screen.findByTestId('import-devices-choose'));
  await waitFor(() => expect(screen.getByTestId('import-devices-file').textContent).toContain('fleet.csv'));
  fireEvent.click(screen.getByTestId('import-devices-submit'));
}

describe('ImportDialog', () => {
  it('cannot import before a file is chosen', async () => {
    renderImport(() => ({ ok: true, value: report() }));
    expect((await screen.findByTestId('import-devices-submit')).hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('import-devices-file').textContent).toBe('no file chosen');
  });

  it('shows each rejected row with its reason, writes nothing, and offers the valid rows only', async () => {
    const { fake, imported } = renderImport(
      () => ({
        ok: false,
        error: { code: 'IMPORT_INVALID', message: '1 row is invalid.', details: { report: refused } },
      }),
      true,
    );
    const file = new File(['name,host\n'], 'fleet.csv', { type: 'text/csv' });
    fireEvent.change(await screen.findByTestId('import-devices-input'), { target: { files: [file] } });
    fireEvent.click(screen.getByTestId('import-devices-submit'));
    expect(await screen.findByText('Nothing was imported')).toBeTruthy();
    const view = screen.getByTestId('import-report');
    expect(view.getAttribute('data-applied')).toBe('false');
    const rows = within(view).getAllByTestId('import-row');
    expect(rows.map((r) => r.getAttribute('data-action'))).toEqual(['rejected']);
    expect(rows[0]?.textContent).toContain('port: must be 1–65535');
    expect(imported).toEqual([]);

    fireEvent.click(screen.getByTestId('import-devices-valid-only'));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'devices.import')).toHaveLength(2));
    expect(fake.calls.filter((c) => c.method === 'devices.import')[1]?.params).toEqual({
      fileRef: picked.fileRef,
      skipInvalid: true,
    });
  });

  it('reports an import that added nothing with its counts', async () => {
    const nothing = report({ counts: { added: 0, updated: 0, unchanged: 3, skipped: 0, rejected: 0 } });
    const { imported } = renderImport(() => ({ ok: true, value: nothing }));
    await chooseAndImport();
    await screen.findByTestId('import-report');
    expect(screen.getByTestId('import-count-added').getAttribute('data-count')).toBe('0');
    expect(screen.getByTestId('import-count-unchanged').getAttribute('data-count')).toBe('3');
    expect(screen.getByTestId('import-devices-close').textContent).toBe('Close');
    expect(imported).toEqual([nothing]);
  });

  it('shows a plain failure as such', async () => {
    renderImport(() => ({ ok: false, error: { code: 'FILE_UNREADABLE', message: 'Line 1: not CSV.' } }));
    await chooseAndImport();
    expect(await screen.findByText('Import failed')).toBeTruthy();
    expect(screen.queryByTestId('import-report')).toBeNull();
  });
});
