/** The parts of Electron's `app` the lock needs (injected, so this is testable without Electron). */
export type InstanceApp = {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
};

/** The parts of a BrowserWindow that bringing it forward needs. */
export type FocusableWindow = {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
};

/**
 * One app per user: two instances would share one SQLite file and data folder, and start the same deployments
 * twice. The first instance keeps the lock; a second launch quits at once and the first brings its window
 * forward. Returns false in the instance that must quit.
 */
export function claimSingleInstance(
  app: InstanceApp,
  currentWindow: () => FocusableWindow | undefined,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => focusWindow(currentWindow()));
  return true;
}

function focusWindow(win: FocusableWindow | undefined): void {
  if (win === undefined || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
