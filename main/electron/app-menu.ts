/**
 * The application menu as a plain template (Electron's `Menu.buildFromTemplate` takes it as is): the usual
 * roles, so copy/paste, zoom, full screen and window keys work as in any desktop app, plus EdgeFleet's own
 * items. Roles bring their platform's standard shortcuts; the own items name theirs.
 */
type MenuRole =
  | 'about'
  | 'services'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'pasteAndMatchStyle'
  | 'delete'
  | 'selectAll'
  | 'reload'
  | 'forceReload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'window'
  | 'help'
  | 'appMenu';

export type MenuItem = {
  label?: string;
  role?: MenuRole;
  type?: 'separator';
  accelerator?: string;
  click?: () => void;
  submenu?: MenuItem[];
};

type AppMenuOptions = {
  platform: NodeJS.Platform;
  /** Developer tools only in a development build: a packaged app's users have no use for them. */
  isPackaged: boolean;
  openDataFolder: () => void;
  openLogFile: () => void;
  openDocs: () => void;
};

const separator: MenuItem = { type: 'separator' };

export function appMenuTemplate(options: AppMenuOptions): MenuItem[] {
  const mac = options.platform === 'darwin';
  const file: MenuItem = {
    label: '&File',
    submenu: [
      { label: 'Open Data Folder', accelerator: 'CmdOrCtrl+Shift+D', click: options.openDataFolder },
      { label: 'Open Log File', accelerator: 'CmdOrCtrl+Shift+L', click: options.openLogFile },
      separator,
      mac ? { role: 'close' } : { role: 'quit', accelerator: 'Ctrl+Q' },
    ],
  };
  const edit: MenuItem = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(mac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      separator,
      { role: 'selectAll' },
    ],
  };
  const view: MenuItem = {
    label: '&View',
    submenu: [
      { role: 'reload' },
      { role: 'forceReload' },
      ...(options.isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
      separator,
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const window: MenuItem = {
    label: '&Window',
    role: 'window',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, separator, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }],
  };
  const help: MenuItem = {
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'ONNX Runtime Documentation', click: options.openDocs },
      ...(mac ? [] : [separator, { role: 'about' } as const]),
    ],
  };
  const appMenu: MenuItem = {
    role: 'appMenu',
    submenu: [
      { role: 'about' },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };
  return mac ? [appMenu, file, edit, view, window, help] : [file, edit, view, window, help];
}
