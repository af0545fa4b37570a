import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../shared/contract';
import { appMenuTemplate, type MenuItem } from './app-menu';
import { createBackgroundNotices } from './background-notices';
import { openDialogSpec } from './dialog-filters';
import { isAllowedExternalLink, openExternalLink } from './external-links';
import { claimSingleInstance, type FocusableWindow, type InstanceApp } from './single-instance';

const roles = (items: MenuItem[]): string[] =>
  items.flatMap((i) => [...(i.role ? [i.role] : []), ...roles(i.submenu ?? [])]);

describe('application menu', () => {
  const base = { openDataFolder: () => {}, openLogFile: () => {}, openDocs: () => {} };

  it('has the usual edit, view and window roles on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const all = roles(appMenuTemplate({ ...base, platform, isPackaged: true }));
      for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'reload', 'zoomIn', 'zoomOut'])
        expect(all).toContain(role);
      expect(all).toContain('togglefullscreen');
      expect(all).toContain('minimize');
      expect(all).toContain('quit');
    }
  });

  it('puts the app menu first on macOS only, and developer tools only in development', () => {
    expect(appMenuTemplate({ ...base, platform: 'darwin', isPackaged: true })[0]?.role).toBe('appMenu');
    expect(appMenuTemplate({ ...base, platform: 'linux', isPackaged: true })[0]?.label).toBe('&File');
    expect(roles(appMenuTemplate({ ...base, platform: 'linux', isPackaged: true }))).not.toContain(
      'toggleDevTools',
    );
    expect(roles(appMenuTemplate({ ...base, platform: 'linux', isPackaged: false }))).toContain(
      'toggleDevTools',
    );
  });

  it('gives its own items shortcuts that run their actions', () => {
    const opened: string[] = [];
    const menu = appMenuTemplate({
      platform: 'linux',
      isPackaged: true,
      openDataFolder: () => opened.push('data'),
      openLogFile: () => opened.push('log'),
      openDocs: () => opened.push('docs'),
    });
    const file = menu[0]?.submenu ?? [];
    expect(file.map((i) => i.accelerator).filter(Boolean)).toEqual([
      'CmdOrCtrl+Shift+D',
      'CmdOrCtrl+Shift+L',
      'Ctrl+Q',
    ]);
    file[0]?.click?.();
    file[1]?.click?.();
    menu.at(-1)?.submenu?.[0]?.click?.();
    expect(opened).toEqual(['data', 'log', 'docs']);
  });
});

describe('dialog filters', () => {
  it('offers the right file types per use, then all files', () => {
    expect(openDialogSpec('models').filters[0]?.extensions).toEqual(['onnx']);
    expect(openDialogSpec('data').filters[0]?.extensions).toContain('npy');
    expect(openDialogSpec('inventories').filters[0]?.extensions).toEqual(
      expect.arrayContaining(['csv', 'yaml', 'json']),
    );
    expect(openDialogSpec('profiles').filters[0]?.extensions).toEqual(['yaml', 'yml', 'json']);
    for (const use of ['models', 'data', 'inventories', 'profiles'] as const) {
      expect(openDialogSpec(use).properties).toEqual(['openFile']);
      expect(openDialogSpec(use).filters.at(-1)).toEqual({ name: 'All files', extensions: ['*'] });
    }
  });

  it('asks for a directory, without file filters, when a folder is wanted', () => {
    expect(openDialogSpec('data', 'folder')).toEqual({
      title: 'Choose a folder of samples',
      properties: ['openDirectory'],
      filters: [],
    });
  });
});

describe('external links', () => {
  it('opens only allow-listed https pages', async () => {
    expect(isAllowedExternalLink('https://onnxruntime.ai/docs/')).toBe(true);
    expect(isAllowedExternalLink('https://github.com/microsoft/onnxruntime/releases')).toBe(true);
    for (const url of [
      'http://onnxruntime.ai/docs/',
      'https://github.com/someone/else',
      'https://onnx.ai@evil.example/',
      'https://onnxruntime.ai.evil.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ])
      expect(isAllowedExternalLink(url)).toBe(false);
    const opened: string[] = [];
    const open = async (u: string) => {
      opened.push(u);
    };
    expect(await openExternalLink('smb://host/share', open)).toBe(false);
    expect(await openExternalLink('https://onnx.ai/', open)).toBe(true);
    expect(opened).toEqual(['https://onnx.ai/']);
  });
});

describe('single instance', () => {
  function fakeApp(locked: boolean) {
    const calls: string[] = [];
    let second: (() => void) | undefined;
    const app: InstanceApp = {
      requestSingleInstanceLock: () => locked,
      quit: () => calls.push('quit'),
      on: (_event, listener) => (second = listener),
    };
    return { app, calls, launchAgain: () => second?.() };
  }

  it('quits a second instance at once', () => {
    const { app, calls } = fakeApp(false);
    expect(claimSingleInstance(app, () => undefined)).toBe(false);
    expect(calls).toEqual(['quit']);
  });

  it('brings the first instance’s window forward, restoring it when minimized', () => {
    const { app, calls, launchAgain } = fakeApp(true);
    const win: FocusableWindow = {
      isDestroyed: () => false,
      isMinimized: () => true,
      restore: () => calls.push('restore'),
      show: () => calls.push('show'),
      focus: () => calls.push('focus'),
    };
    expect(claimSingleInstance(app, () => win)).toBe(true);
    launchAgain();
    expect(calls).toEqual(['restore', 'show', 'focus']);
  });
});

describe('background notices', () => {
  const progress = (jobId: string, kind: string): AnyEvent => ({
    name: 'job.progress',
    payload: { jobId, kind, phase: 'x', percent: null },
  });
  const done = (jobId: string, kind: string): AnyEvent => ({
    name: 'job.done',
    payload: { jobId, kind, result: null },
  });
  const failed = (jobId: string, kind: string): AnyEvent => ({
    name: 'job.failed',
    payload: { jobId, kind, error: { code: 'AUTH_FAILED', message: 'pi-1 refused the key.' } },
  });

  it('notifies when a rollout ends in the background, not in the foreground', () => {
    const notices: { title: string; body: string }[] = [];
    let foreground = false;
    const on = createBackgroundNotices({ isForeground: () => foreground, notify: (n) => notices.push(n) });
    on(done('a', 'deploy.run'));
    on(failed('b', 'deploy.rollback'));
    foreground = true;
    on(done('c', 'deploy.run'));
    expect(notices.map((n) => n.title)).toEqual(['Rollout finished', 'Rollback failed']);
    expect(notices[1]?.body).toBe('AUTH_FAILED: pi-1 refused the key.');
  });

  it('notifies for long optimizations only, and never for other jobs', () => {
    const notices: string[] = [];
    let t = 0;
    const on = createBackgroundNotices({
      isForeground: () => false,
      notify: (n) => notices.push(n.title),
      longOptimizeMs: 30_000,
      now: () => t,
    });
    on(progress('short', 'optimize.run'));
    on(progress('long', 'optimize.run'));
    t = 5_000;
    on(done('short', 'optimize.run'));
    t = 45_000;
    on(done('long', 'optimize.run'));
    on(done('probe', 'devices.probe'));
    expect(notices).toEqual(['Optimization finished']);
  });
});
