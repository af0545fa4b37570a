// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { Result } from '../../../../../shared/result';
import { createClient } from '../../../api/client';
import { ClientProvider } from '../../../api/client-context';
import { callKey } from '../../../api/queries';
import { createFakeTransport } from '../../../testing/fake-transport';
import { renderUi } from '../../../testing/render';
import { sampleModel } from '../../../testing/sample-model';
import { DeleteModelButton } from './delete-model-button';

const model = sampleModel({ id: 'm_7', name: 'small-cnn-int8' });

/** Where the router is, and the state the Models page reads, as text to assert on. */
function Location() {
  const location = useLocation();
  return (
    <output data-testid="location">{`${location.pathname} ${JSON.stringify(location.state ?? null)}`}</output>
  );
}

function renderDelete(answer: (params: unknown) => Result<unknown>) {
  const fake = createFakeTransport({ 'models.remove': answer });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  // What the model's page and the library had loaded.
  queryClient.setQueryData(callKey('models.get', { ref: model.id }), model);
  queryClient.setQueryData(callKey('models.list', {}), [model]);
  renderUi(
    <QueryClientProvider client={queryClient}>
      <ClientProvider client={createClient(fake.transport)}>
        <DeleteModelButton model={model} />
        <Location />
      </ClientProvider>
    </QueryClientProvider>,
  );
  return { fake, queryClient };
}

const removed: Result<unknown> = { ok: true, value: { id: 'm_7', fileDeleted: true } };
const inUse: Result<unknown> = {
  ok: false,
  error: {
    code: 'MODEL_IN_USE',
    message: '"small-cnn-int8" has 2 variant(s) made from it. Remove those first.',
    details: { children: ['m_8', 'm_9'] },
  },
};

const removeCalls = (fake: ReturnType<typeof createFakeTransport>) =>
  fake.calls.filter((c) => c.method === 'models.remove').map((c) => c.params);
const location = () => screen.getByTestId('location').textContent;
const dialog = () => screen.queryByRole('dialog');
const open = async () => {
  fireEvent.click(screen.getByTestId('delete-model'));
  return within(await screen.findByRole('dialog'));
};

describe('DeleteModelButton', () => {
  it('asks first, and deletes nothing until confirmed', async () => {
    const { fake } = renderDelete(() => removed);
    expect(dialog()).toBeNull();
    const view = await open();
    expect(view.getByText('Delete “small-cnn-int8”?')).toBeTruthy();
    expect(view.getByText(/Devices it was deployed to are not touched/)).toBeTruthy();
    expect(removeCalls(fake)).toEqual([]);
  });

  it('deletes the model by id, forgets it, and goes back to the library naming it', async () => {
    const { fake, queryClient } = renderDelete(() => removed);
    expect(location()).toBe('/ null');
    await open();
    fireEvent.click(screen.getByTestId('confirm-delete'));
    await waitFor(() => expect(location()).toBe('/models {"removedName":"small-cnn-int8"}'));
    expect(removeCalls(fake)).toEqual([{ ref: 'm_7' }]);
    // Its page's data is dropped (not refetched: the model is gone) and the library is marked stale.
    expect(queryClient.getQueryData(callKey('models.get', { ref: 'm_7' }))).toBeUndefined();
    expect(queryClient.getQueryState(callKey('models.list', {}))?.isInvalidated).toBe(true);
  });
});

describe('DeleteModelButton errors', () => {
  it('stays open and says why when main refuses, keeps the model, and stays on the page', async () => {
    const { fake, queryClient } = renderDelete(() => inUse);
    const view = await open();
    fireEvent.click(screen.getByTestId('confirm-delete'));
    const alert = await view.findByTestId('error-alert');
    expect(within(alert).getByText('Cannot delete this model')).toBeTruthy();
    expect(alert.dataset['errorCode']).toBe('MODEL_IN_USE');
    expect(within(alert).getByTestId('error-message').textContent).toBe(
      '"small-cnn-int8" has 2 variant(s) made from it. Remove those first.',
    );
    expect(dialog()).not.toBeNull();
    expect(location()).toBe('/ null');
    expect(queryClient.getQueryData(callKey('models.get', { ref: 'm_7' }))).toEqual(model);
    expect(queryClient.getQueryState(callKey('models.list', {}))?.isInvalidated).toBe(false);
    expect(removeCalls(fake)).toEqual([{ ref: 'm_7' }]);
  });

  it('can be tried again from the same dialog once the cause is gone', async () => {
    let answer: Result<unknown> = inUse;
    const { fake } = renderDelete(() => answer);
    await open();
    fireEvent.click(screen.getByTestId('confirm-delete'));
    await screen.findByTestId('error-alert');
    answer = removed;
    fireEvent.click(screen.getByTestId('confirm-delete'));
    await waitFor(() => expect(location()).toBe('/models {"removedName":"small-cnn-int8"}'));
    expect(removeCalls(fake)).toEqual([{ ref: 'm_7' }, { ref: 'm_7' }]);
  });

  it('Cancel closes without deleting, and the next opening shows no old error', async () => {
    const { fake } = renderDelete(() => inUse);
    const view = await open();
    fireEvent.click(view.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog()).toBeNull());
    expect(removeCalls(fake)).toEqual([]);

    await open();
    fireEvent.click(screen.getByTestId('confirm-delete'));
    await screen.findByTestId('error-alert');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog()).toBeNull());

    const again = await open();
    expect(again.queryByTestId('error-alert')).toBeNull();
    expect(removeCalls(fake)).toEqual([{ ref: 'm_7' }]);
    expect(location()).toBe('/ null');
  });
});
