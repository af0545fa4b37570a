// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../../shared/schemas/fleet';
import type { Result } from '../../../../shared/result';
import { createClient } from '../../api/client';
import { ClientProvider } from '../../api/client-context';
import { callKey } from '../../api/queries';
import { createFakeTransport } from '../../testing/fake-transport';
import { renderUi } from '../../testing/render';
import { sampleDevice } from './sample-device';
import { TagDialog, type TagAsk } from './tag-dialog';

const devices: Device[] = [
  sampleDevice({ id: 'd_1', name: 'pi-1', tags: ['lab'] }),
  sampleDevice({ id: 'd_2', name: 'pi-2', tags: ['lab', 'cam'] }),
];

type Params = { refs: string[]; add?: string[]; remove?: string[] };

/** What main answers: the devices with the tags changed. */
const tagged = (params: unknown): Result<unknown> => {
  const { add = [], remove = [] } = params as Params;
  return {
    ok: true,
    value: devices.map((d) => ({
      ...d,
      tags: [...d.tags.filter((t) => !remove.includes(t)), ...add.filter((t) => !d.tags.includes(t))],
    })),
  };
};

function renderTags(ask: TagAsk | null, answer: (params: unknown) => Result<unknown> = tagged) {
  const fake = createFakeTransport({ 'devices.tag': answer });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  // The Fleet page's list, cached: a change of tags must mark it stale.
  queryClient.setQueryData(callKey('devices.list', {}), devices);
  const done: string[] = [];
  let closed = 0;
  renderUi(
    <QueryClientProvider client={queryClient}>
      <ClientProvider client={createClient(fake.transport)}>
        <TagDialog ask={ask} onClose={() => closed++} onDone={(message) => done.push(message)} />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, queryClient, done, closed: () => closed };
}

const addAsk: TagAsk = { mode: 'add', ids: ['d_1', 'd_2'], suggestions: ['lab', 'cam'] };
const removeAsk: TagAsk = { mode: 'remove', ids: ['d_1', 'd_2'], suggestions: ['lab', 'cam'] };

const input = () => screen.getByTestId('tag-input') as HTMLInputElement;
/** Types a tag and confirms it with Enter, as the field's description says. */
const enterTag = (tag: string) => {
  fireEvent.change(input(), { target: { value: tag } });
  fireEvent.keyDown(input(), { key: 'Enter' });
};
const submitButton = () => screen.getByTestId('tag-submit') as HTMLButtonElement;
const tagCalls = (fake: ReturnType<typeof createFakeTransport>) =>
  fake.calls.filter((c) => c.method === 'devices.tag').map((c) => c.params);
const listInvalidated = (queryClient: QueryClient) =>
  queryClient.getQueryState(callKey('devices.list', {}))?.isInvalidated ?? false;

describe('TagDialog', () => {
  it('adds the entered tags to every selected device in one call, and says what it did', async () => {
    const { fake, queryClient, done, closed } = renderTags(addAsk);
    expect(await screen.findByText('Add tags to 2 devices')).toBeTruthy();
    expect(screen.getAllByLabelText('Tags to add')).toContain(input());
    enterTag('garage');
    enterTag('cam');
    fireEvent.click(submitButton());
    await waitFor(() => expect(done).toEqual(['Added “garage”, “cam” to 2 devices.']));
    expect(tagCalls(fake)).toEqual([{ refs: ['d_1', 'd_2'], add: ['garage', 'cam'] }]);
    expect(listInvalidated(queryClient)).toBe(true);
    expect(closed()).toBe(0);
  });

  it('removes the entered tags with a remove call, never an add', async () => {
    const { fake, done } = renderTags(removeAsk);
    expect(await screen.findByText('Remove tags from 2 devices')).toBeTruthy();
    expect(submitButton().textContent).toBe('Remove');
    enterTag('lab');
    fireEvent.click(submitButton());
    await waitFor(() => expect(done).toEqual(['Removed “lab” from 2 devices.']));
    expect(tagCalls(fake)).toEqual([{ refs: ['d_1', 'd_2'], remove: ['lab'] }]);
  });

  it('takes a tag typed but not yet confirmed when the field loses focus', async () => {
    const { fake, done } = renderTags({ ...addAsk, ids: ['d_1'] });
    expect(await screen.findByText('Add tags to 1 device')).toBeTruthy();
    fireEvent.change(input(), { target: { value: 'edge' } });
    fireEvent.blur(input());
    expect(submitButton().disabled).toBe(false);
    fireEvent.click(submitButton());
    await waitFor(() => expect(done).toHaveLength(1));
    expect(tagCalls(fake)).toEqual([{ refs: ['d_1'], add: ['edge'] }]);
  });

  it('splits at commas and drops a tag entered twice', async () => {
    const { fake } = renderTags(addAsk);
    await screen.findByTestId('tag-input');
    fireEvent.change(input(), { target: { value: 'north' } });
    fireEvent.keyDown(input(), { key: ',' });
    enterTag('south');
    enterTag('NORTH');
    fireEvent.click(submitButton());
    await waitFor(() => expect(tagCalls(fake)).toEqual([{ refs: ['d_1', 'd_2'], add: ['north', 'south'] }]));
  });
});

describe('TagDialog errors', () => {
  it('cannot be submitted without a tag, and sends nothing', async () => {
    const { fake, done } = renderTags(addAsk);
    await screen.findByTestId('tag-input');
    expect(submitButton().disabled).toBe(true);
    // Enter in the empty field submits the form: still nothing to send.
    fireEvent.keyDown(input(), { key: 'Enter' });
    fireEvent.submit(input().closest('form')!);
    enterTag('   ');
    expect(submitButton().disabled).toBe(true);
    expect(tagCalls(fake)).toEqual([]);
    expect(done).toEqual([]);
  });

  it('keeps the dialog and the tags when main refuses, shows why, and sends them again on retry', async () => {
    let refuse = true;
    const refusal: Result<unknown> = {
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: 'Invalid parameters for devices.tag: ✖ a tag is at most 64 characters → at add[1]',
      },
    };
    const long = 'x'.repeat(65);
    const { fake, queryClient, done, closed } = renderTags(addAsk, (params) =>
      refuse ? refusal : tagged(params),
    );
    await screen.findByTestId('tag-input');
    enterTag('garage');
    enterTag(long);
    fireEvent.click(submitButton());
    const alert = await screen.findByTestId('error-alert');
    expect(within(alert).getByText('Tags not changed')).toBeTruthy();
    expect(alert.dataset['errorCode']).toBe('BAD_REQUEST');
    expect(within(alert).getByTestId('error-message').textContent).toContain(
      'a tag is at most 64 characters',
    );
    expect(done).toEqual([]);
    expect(closed()).toBe(0);
    expect(listInvalidated(queryClient)).toBe(false);
    // Nothing typed is lost: both tags are still there to correct.
    expect(screen.getByText('garage')).toBeTruthy();
    expect(screen.getByText(long)).toBeTruthy();
    expect(submitButton().disabled).toBe(false);

    // Backspace in the empty field takes the last tag off; the retry sends what is left.
    fireEvent.keyDown(input(), { key: 'Backspace' });
    expect(screen.queryByText(long)).toBeNull();
    refuse = false;
    fireEvent.click(submitButton());
    await waitFor(() => expect(done).toEqual(['Added “garage” to 2 devices.']));
    expect(tagCalls(fake)).toEqual([
      { refs: ['d_1', 'd_2'], add: ['garage', long] },
      { refs: ['d_1', 'd_2'], add: ['garage'] },
    ]);
  });

  it('says when the selected devices have no tag to remove', async () => {
    renderTags({ mode: 'remove', ids: ['d_1'], suggestions: [] });
    expect(await screen.findByText('The selected devices have no tags.')).toBeTruthy();
    expect(submitButton().disabled).toBe(true);
  });

  it('Cancel closes without a call, even with tags entered', async () => {
    const { fake, queryClient, done, closed } = renderTags(addAsk);
    await screen.findByTestId('tag-input');
    enterTag('garage');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(closed()).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(closed()).toBe(2);
    expect(tagCalls(fake)).toEqual([]);
    expect(done).toEqual([]);
    expect(listInvalidated(queryClient)).toBe(false);
  });

  it('shows nothing while there is no ask', () => {
    const { fake } = renderTags(null);
    expect(screen.queryByTestId('tag-input')).toBeNull();
    expect(fake.calls).toEqual([]);
  });
});
