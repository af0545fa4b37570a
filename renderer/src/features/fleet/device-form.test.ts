import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors';
import {
  emptyValues,
  firstErrorField,
  profileGroups,
  serverErrors,
  toInput,
  toPatch,
  valuesOf,
  type DeviceFormValues,
} from './device-form';
import { sampleDevice } from './sample-device';

const form = (patch: Partial<DeviceFormValues>): DeviceFormValues => ({
  ...emptyValues(),
  name: 'pi-1',
  host: '10.0.0.11',
  keyPath: '/root/.ssh/id_ed25519',
  ...patch,
});

describe('toInput', () => {
  it('says "required" for empty required fields, not the format rule', () => {
    const result = toInput(form({ name: '', host: ' ', keyPath: '', port: '' }));
    expect(result).toMatchObject({
      ok: false,
      errors: {
        name: 'required',
        host: 'required',
        port: 'required (22 for SSH)',
        keyPath: 'required: the private key file, as a path on the machine EdgeFleet runs on',
      },
    });
  });

  it('leaves empty optional fields out so main fills in its defaults', () => {
    expect(toInput(form({ tags: ['lab'] }))).toEqual({
      ok: true,
      value: {
        name: 'pi-1',
        host: '10.0.0.11',
        port: 22,
        authMethod: 'key',
        keyPath: '/root/.ssh/id_ed25519',
        tags: ['lab'],
        deployRoot: '/opt/edgefleet',
      },
    });
    const agent = toInput(form({ authMethod: 'agent', user: 'pi', port: '2222', deployRoot: '' }));
    expect(agent).toMatchObject({ ok: true, value: { authMethod: 'agent', user: 'pi', port: 2222 } });
    expect(agent.ok && 'keyPath' in agent.value).toBe(false);
    expect(agent.ok && 'deployRoot' in agent.value).toBe(false);
  });

  it('reports each bad field in the contract schema’s words', () => {
    const result = toInput(
      form({
        name: 'all',
        host: 'bad host',
        port: '70000',
        keyPath: '',
        tags: ['ok', 'a,b'],
        deployRoot: 'opt',
      }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.name).toContain('reserved');
    expect(result.errors.host).toContain('DNS name or an IP address');
    expect(result.errors.port).toContain('from 1 to 65535');
    expect(result.errors.keyPath).toContain('private key file');
    expect(result.errors.tags).toBe('“a,b”: a tag must not contain commas');
    expect(result.errors.deployRoot).toContain('absolute path');
    expect(toInput(form({ port: 'ssh' }))).toEqual({
      ok: false,
      errors: { port: 'the port must be a whole number' },
    });
  });
});

describe('toPatch', () => {
  const device = sampleDevice({ notes: 'old', profile: 'rpi4', tags: ['b', 'a'] });

  it('is empty when nothing changed, and holds only the changed fields', () => {
    expect(toPatch(valuesOf(device), device)).toEqual({ ok: true, value: {} });
    const changed = { ...valuesOf(device), name: ' pi-9 ', notes: '', tags: ['a', 'b', 'c'], port: '2200' };
    expect(toPatch(changed, device)).toEqual({
      ok: true,
      value: { name: 'pi-9', notes: null, tags: ['a', 'b', 'c'], port: 2200 },
    });
  });

  it('switches auth without sending a key path, and needs a user', () => {
    expect(toPatch({ ...valuesOf(device), authMethod: 'password' }, device)).toEqual({
      ok: true,
      value: { authMethod: 'password' },
    });
    expect(toPatch({ ...valuesOf(device), user: ' ' }, device)).toMatchObject({
      ok: false,
      errors: { user: expect.any(String) },
    });
  });
});

describe('serverErrors', () => {
  it('puts BAD_REQUEST issues on their fields, for add and for update (under patch)', () => {
    const add = new AppError('BAD_REQUEST', 'Invalid device', {
      issues: [
        { path: ['port'], message: 'the port must be from 1 to 65535' },
        { path: ['tags', '1'], message: 'a tag must not be empty' },
      ],
    });
    expect(serverErrors(add)).toEqual({
      fields: { port: 'the port must be from 1 to 65535', tags: 'a tag must not be empty' },
      rest: null,
    });
    const update = new AppError('BAD_REQUEST', 'Invalid parameters', {
      issues: [{ path: ['patch', 'host'], message: 'bad host' }],
    });
    expect(serverErrors(update)).toEqual({ fields: { host: 'bad host' }, rest: null });
  });

  it('puts NAME_TAKEN on the name and keeps other refusals as a message', () => {
    expect(serverErrors(new AppError('NAME_TAKEN', 'pi-1 exists'))).toEqual({
      fields: { name: 'pi-1 exists' },
      rest: null,
    });
    expect(serverErrors(new AppError('BAD_REQUEST', 'cannot be its own jump host'))).toEqual({
      fields: {},
      rest: 'cannot be its own jump host',
    });
  });
});

describe('form helpers', () => {
  it('focuses the first field with an error in the order the form shows them', () => {
    expect(firstErrorField({ notes: 'x', host: 'required', tags: 'bad' })).toBe('tags');
    expect(firstErrorField({})).toBeNull();
  });

  it('offers the built-in profiles, then the fleet’s own names not among them', () => {
    expect(profileGroups(['rpi4'], ['rpi4', 'custom'])).toEqual([
      { group: 'Hardware profiles', items: ['rpi4'] },
      { group: 'Used in this fleet', items: ['custom'] },
    ]);
    expect(profileGroups(['rpi4'], ['rpi4'])).toEqual([{ group: 'Hardware profiles', items: ['rpi4'] }]);
  });
});
