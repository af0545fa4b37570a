// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ExportFormat } from '../../../../shared/schemas/fleet';
import type { Result } from '../../../../shared/result';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { ExportDialog } from './export-dialog';

type ExportParams = { format: ExportFormat; tag?: string };

const texts: Record<ExportFormat, string> = {
  csv: 'name,host,port\npi-1,10.0.0.11,22\npi-2,10.0.0.12,22\njetson,10.0.0.13,22\n',
  'ansible-ini': '[all]\npi-1 ansible_host=10.0.0.11\n',
  'ansible-yaml': 'all:\n  hosts:\n    pi-1:\n      ansible_host: 10.0.0.11\n',
  'ssh-config': 'Host pi-1\n  HostName 10.0.0.11\n',
  'known-hosts': '10.0.0.11 ssh-ed25519 AAAA\n',
};

/** What main answers: the text of the format, for every device or the tagged ones. */
const exported = (params: unknown): Result<unknown> => {
  const { format, tag } = params as ExportParams;
  return { ok: true, value: { format, text: texts[format], deviceCount: tag === undefined ? 3 : 2 } };
};

/** The page's part: it opens the dialog, the dialog's Close closes it. */
function Harness({ initiallyOpen }: { initiallyOpen: boolean }) {
  const [opened, setOpened] = useState(initiallyOpen);
  return (
    <>
      <button type="button" onClick={() => setOpened(true)}>
        Export…
      </button>
      <output data-testid="opened">{String(opened)}</output>
      <ExportDialog opened={opened} onClose={() => setOpened(false)} tags={['lab', 'garage']} />
    </>
  );
}

function renderExport(answer: (params: unknown) => Result<unknown> = exported, initiallyOpen = true) {
  const fake = createFakeTransport({ 'devices.export': answer });
  renderUi(
    <QueryClientProvider
      client={new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })}
    >
      <ClientProvider client={createClient(fake.transport)}>
        <Harness initiallyOpen={initiallyOpen} />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake };
}

const exportCalls = (fake: ReturnType<typeof createFakeTransport>) =>
  fake.calls.filter((c) => c.method === 'devices.export').map((c) => c.params);
const exportedText = () => (screen.getByTestId('export-text') as HTMLTextAreaElement).value;
const button = (name: RegExp | string) => screen.getByRole('button', { name }) as HTMLButtonElement;
/** The dialog's own Close button, not the ✕ in its title bar (both are named Close). */
const closeButton = () =>
  screen.getAllByRole('button', { name: 'Close' }).find((b) => b.textContent === 'Close')!;
const isOpen = () => screen.getByTestId('opened').textContent === 'true';

async function choose(testId: string, option: string) {
  fireEvent.click(screen.getByTestId(testId));
  // jsdom has no layout: inside the modal, the dropdown's positioning sees its field as out of view and
  // hides the list (display: none), so the option is looked up among hidden elements.
  fireEvent.click(await screen.findByRole('option', { name: option, hidden: true }));
}

/** jsdom cannot download: records the blob, the link's name and the revoke instead. */
function stubDownload() {
  const blobs: Blob[] = [];
  const revoked: string[] = [];
  const links: Array<{ href: string; download: string }> = [];
  const saved = {
    create: Object.getOwnPropertyDescriptor(URL, 'createObjectURL'),
    revoke: Object.getOwnPropertyDescriptor(URL, 'revokeObjectURL'),
  };
  Object.defineProperty(URL, 'createObjectURL', {
    configurable: true,
    writable: true,
    value: (blob: Blob) => {
      blobs.push(blob);
      return `blob:export-${blobs.length}`;
    },
  });
  Object.defineProperty(URL, 'revokeObjectURL', {
    configurable: true,
    writable: true,
    value: (url: string) => revoked.push(url),
  });
  const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    links.push({ href: this.href, download: this.download });
  });
  onTestFinished(() => {
    click.mockRestore();
    for (const [name, descriptor] of [
      ['createObjectURL', saved.create],
      ['revokeObjectURL', saved.revoke],
    ] as const) {
      if (descriptor) Object.defineProperty(URL, name, descriptor);
      else Reflect.deleteProperty(URL, name);
    }
  });
  return { blobs, revoked, links };
}

/** jsdom has no clipboard: a recording one for this test. */
function stubClipboard() {
  const writeText = vi.fn((_text: string) => Promise.resolve());
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
  onTestFinished(() => {
    Reflect.deleteProperty(navigator, 'clipboard');
  });
  return writeText;
}

describe('ExportDialog', () => {
  it('exports every device as CSV when opened, and shows the text and the count', async () => {
    const { fake } = renderExport();
    expect((await screen.findByTestId('export-count')).textContent).toBe('3 devices as CSV');
    expect(exportedText()).toBe(texts.csv);
    expect(exportCalls(fake)).toEqual([{ format: 'csv' }]);
    expect(button('Download edgefleet-devices.csv').disabled).toBe(false);
  });

  it('exports again in the chosen format and for the chosen tag', async () => {
    const { fake } = renderExport();
    await screen.findByTestId('export-text');
    await choose('export-format', 'Ansible inventory (YAML)');
    await waitFor(() => expect(exportedText()).toBe(texts['ansible-yaml']));
    expect(screen.getByTestId('export-count').textContent).toBe('3 devices as Ansible inventory (YAML)');
    expect(button('Download inventory.yml')).toBeTruthy();

    await choose('export-tag', 'Tagged garage');
    await waitFor(() => expect(screen.getByTestId('export-count').textContent).toMatch(/^2 devices/));
    expect(exportCalls(fake)).toEqual([
      { format: 'csv' },
      { format: 'ansible-yaml' },
      { format: 'ansible-yaml', tag: 'garage' },
    ]);
  });

  it('downloads exactly the shown text under the format’s file name', async () => {
    const download = stubDownload();
    renderExport();
    await screen.findByTestId('export-text');
    await choose('export-format', 'ssh_config Host entries');
    await waitFor(() => expect(exportedText()).toBe(texts['ssh-config']));
    fireEvent.click(screen.getByTestId('export-download'));
    expect(download.links).toEqual([{ href: 'blob:export-1', download: 'ssh_config' }]);
    expect(download.blobs).toHaveLength(1);
    expect(await download.blobs[0]!.text()).toBe(texts['ssh-config']);
    await waitFor(() => expect(download.revoked).toEqual(['blob:export-1']));
  });

  it('copies exactly the shown text', async () => {
    const writeText = stubClipboard();
    renderExport();
    await screen.findByTestId('export-text');
    fireEvent.click(button('Copy'));
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeTruthy();
    expect(writeText.mock.calls).toEqual([[texts.csv]]);
  });

  it('asks main again each time it is opened: the inventory may have changed', async () => {
    const { fake } = renderExport(exported, false);
    expect(screen.queryByTestId('export-text')).toBeNull();
    expect(exportCalls(fake)).toEqual([]);
    fireEvent.click(button('Export…'));
    await screen.findByTestId('export-text');
    fireEvent.click(closeButton());
    await waitFor(() => expect(screen.queryByTestId('export-text')).toBeNull());
    fireEvent.click(button('Export…'));
    await screen.findByTestId('export-text');
    expect(exportCalls(fake)).toEqual([{ format: 'csv' }, { format: 'csv' }]);
  });
});

describe('ExportDialog errors', () => {
  const failure: Result<unknown> = {
    ok: false,
    error: {
      code: 'INTERNAL',
      message: 'Internal error: database is locked. Please report it with the log file.',
    },
  };

  it('shows a failed export with its message, with nothing to copy or download', async () => {
    const download = stubDownload();
    renderExport(() => failure);
    const alert = await screen.findByTestId('error-alert');
    expect(within(alert).getByText('Export failed')).toBeTruthy();
    expect(alert.dataset['errorCode']).toBe('INTERNAL');
    expect(within(alert).getByTestId('error-message').textContent).toBe(
      'Internal error: database is locked. Please report it with the log file.',
    );
    expect(screen.queryByTestId('export-text')).toBeNull();
    expect(screen.queryByTestId('export-count')).toBeNull();
    expect(button('Copy').disabled).toBe(true);
    expect((screen.getByTestId('export-download') as HTMLButtonElement).disabled).toBe(true);
    expect(download.links).toEqual([]);
    expect(isOpen()).toBe(true);
  });

  it('keeps the dialog usable after a failure: another format is tried, and the old text never shows under it', async () => {
    const { fake } = renderExport((params) =>
      (params as ExportParams).format === 'known-hosts' ? failure : exported(params),
    );
    await screen.findByTestId('export-text');
    await choose('export-format', 'known_hosts (pinned keys)');
    expect(await screen.findByTestId('error-alert')).toBeTruthy();
    // The CSV shown before is not offered as if it were the known_hosts file.
    expect(screen.queryByTestId('export-text')).toBeNull();
    expect((screen.getByTestId('export-download') as HTMLButtonElement).disabled).toBe(true);
    expect(isOpen()).toBe(true);

    await choose('export-format', 'Ansible inventory (INI)');
    await waitFor(() => expect(exportedText()).toBe(texts['ansible-ini']));
    expect(screen.queryByTestId('error-alert')).toBeNull();
    expect(exportCalls(fake).map((p) => (p as ExportParams).format)).toEqual([
      'csv',
      'known-hosts',
      'ansible-ini',
    ]);
  });

  it('Close downloads and copies nothing', async () => {
    const download = stubDownload();
    const writeText = stubClipboard();
    const { fake } = renderExport();
    await screen.findByTestId('export-text');
    fireEvent.click(closeButton());
    await waitFor(() => expect(isOpen()).toBe(false));
    expect(download.links).toEqual([]);
    expect(writeText).not.toHaveBeenCalled();
    expect(exportCalls(fake)).toEqual([{ format: 'csv' }]);
  });
});
