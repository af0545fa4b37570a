import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServices, type Services } from '../core/services';
import { createDispatcher } from '../host/dispatcher';
import { createHandlers } from '../host/handlers';
import { forwardEvents, registerIpc } from '../host/ipc-transport';
import { appMenuTemplate } from './app-menu';
import { createBackgroundNotices } from './background-notices';
import { openDialogSpec, type FileUse, type PickKind } from './dialog-filters';
import { isAllowedExternalLink, openExternalLink } from './external-links';
import { SecretVault } from './secret-vault';
import { claimSingleInstance } from './single-instance';
import { loadWindowState, minWindowSize, trackWindowState } from './window-state';

/**
 * The thin desktop shell: a window, native dialogs and menu, OS integration (single instance, notifications,
 * the key store for remembered secrets) and the IPC transport. Everything else lives in main/core and is
 * shared with the web console and the CLI. Each piece of shell behaviour is a module of its own beside this
 * file, with Electron's API passed in, so it is unit-tested without Electron.
 *
 * Crash reporting stays off: `crashReporter.start` is never called, so no minidump is collected or uploaded
 * (models and device names are the user's business).
 */
const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const rendererUrl = pathToFileURL(rendererIndex).href;
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const docsUrl = 'https://onnxruntime.ai/docs/';

let services: Services | undefined;
let mainWindow: BrowserWindow | undefined;

async function createWindow(svc: Services): Promise<BrowserWindow> {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(stateFile, [
    screen.getPrimaryDisplay().workArea,
    ...screen.getAllDisplays().map((d) => d.workArea),
  ]);
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: minWindowSize.width,
    minHeight: minWindowSize.height,
    title: 'EdgeFleet',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow = win;
  const stopTracking = trackWindowState(win, stateFile);
  const stopEvents = forwardEvents((l) => svc.jobs.subscribe(l), win.webContents);
  win.on('closed', () => {
    stopEvents();
    stopTracking();
    if (mainWindow === win) mainWindow = undefined;
  });
  // The UI never navigates away from itself; allowed links open in the user's browser, others nowhere.
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== rendererUrl) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    void openExternalLink(url, (u) => shell.openExternal(u));
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
    console.log('EDGEFLEET_ELECTRON_READY');
  });
  await win.loadFile(rendererIndex);
  return win;
}

async function pick(use: FileUse, kind: PickKind): Promise<string | null> {
  const spec = openDialogSpec(use, kind);
  const result = mainWindow
    ? await dialog.showOpenDialog(mainWindow, spec)
    : await dialog.showOpenDialog(spec);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const dataDir = process.env.EDGEFLEET_HOME ?? app.getPath('userData');
  const vault = new SecretVault(join(dataDir, 'secrets.json'), safeStorage);
  const svc = createServices({ dataDir, secrets: vault });
  services = svc;
  const dispatch = createDispatcher(
    createHandlers(svc, {
      kind: 'electron',
      pickModelFile: () => pick('models', 'file'),
      pickData: (kind, use) => pick(use, kind),
      pickKeyFile: () => pick('keys', 'file'),
      canRememberSecrets: () => vault.canRemember(),
    }),
    svc.logger,
  );
  registerIpc(ipcMain, dispatch, (url) => url.split('#')[0] === rendererUrl);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate({
        platform: process.platform,
        isPackaged: app.isPackaged,
        openDataFolder: () => void shell.openPath(dataDir),
        openLogFile: () => void shell.openPath(join(dataDir, 'logs', 'edgefleet.log')),
        openDocs: () => {
          if (isAllowedExternalLink(docsUrl)) void shell.openExternal(docsUrl);
        },
      }),
    ),
  );
  svc.jobs.subscribe(
    createBackgroundNotices({
      isForeground: () => mainWindow?.isFocused() === true,
      notify: ({ title, body }) => {
        if (!Notification.isSupported()) return;
        const notice = new Notification({ title, body });
        notice.on('click', () => {
          mainWindow?.show();
          mainWindow?.focus();
        });
        notice.show();
      },
    }),
  );
  await createWindow(svc);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(svc);
  });
}

if (claimSingleInstance(app, () => mainWindow)) {
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void services?.close();
  });

  start().catch((err: unknown) => {
    console.error('EdgeFleet failed to start:', err);
    app.exit(1);
  });
}
