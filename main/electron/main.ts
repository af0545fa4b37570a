import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServices, type Services } from '../core/services';
import { createDispatcher } from '../host/dispatcher';
import { createHandlers } from '../host/handlers';
import { forwardEvents, registerIpc } from '../host/ipc-transport';
import { isAllowedExternalUrl } from '../host/external-links';

/**
 * The thin desktop shell: a window, a native file dialog, and the IPC transport. Everything else lives in
 * main/core and is shared with the web console and the CLI.
 */
const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const rendererUrl = pathToFileURL(rendererIndex).href;
const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));

let services: Services | undefined;

async function createWindow(svc: Services): Promise<void> {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 960,
    minHeight: 600,
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
  const stopEvents = forwardEvents((l) => svc.jobs.subscribe(l), win.webContents);
  win.on('closed', stopEvents);
  // The UI never navigates away from itself; links to the web open in the user's browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== rendererUrl) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => {
    win.show();
    console.log('EDGEFLEET_ELECTRON_READY');
  });
  await win.loadFile(rendererIndex);
}

async function start(): Promise<void> {
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  const dataDir = process.env.EDGEFLEET_HOME ?? app.getPath('userData');
  const svc = createServices({ dataDir });
  services = svc;
  const dispatch = createDispatcher(
    createHandlers(svc, {
      kind: 'electron',
      async pickModelFile() {
        const result = await dialog.showOpenDialog({
          title: 'Import an ONNX model',
          properties: ['openFile'],
          filters: [{ name: 'ONNX models', extensions: ['onnx'] }],
        });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      async pickKeyFile() {
        const result = await dialog.showOpenDialog({
          title: 'Choose the SSH private key',
          properties: ['openFile', 'showHiddenFiles'],
        });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
      async pickData(kind) {
        const result = await dialog.showOpenDialog({
          title: kind === 'folder' ? 'Choose a folder of samples' : 'Choose a .npy file of samples',
          properties: [kind === 'folder' ? 'openDirectory' : 'openFile'],
          filters: kind === 'folder' ? [] : [{ name: 'NumPy arrays', extensions: ['npy'] }],
        });
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
    }),
    svc.logger,
  );
  registerIpc(ipcMain, dispatch, (url) => url.split('#')[0] === rendererUrl);
  await createWindow(svc);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow(svc);
  });
}

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
