import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export type Bounds = { x: number; y: number; width: number; height: number };
type WindowState = Bounds & { maximized: boolean };

const stateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
});

const defaultWindowSize = { width: 1320, height: 860 };
export const minWindowSize = { width: 960, height: 600 };
/** How much of the window must be on some display for the saved place to be used as is. */
const minVisiblePx = 100;

function overlap(a: Bounds, b: Bounds): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** Centred on the work area, at the default size (or the work area's, when that is smaller). */
function centred(area: Bounds): Bounds {
  const width = Math.min(defaultWindowSize.width, area.width);
  const height = Math.min(defaultWindowSize.height, area.height);
  return {
    x: area.x + Math.round((area.width - width) / 2),
    y: area.y + Math.round((area.height - height) / 2),
    width,
    height,
  };
}

/**
 * Where the window opens: the saved size and place, when the file is valid and enough of the window lands on a
 * display that exists now (a monitor unplugged since would otherwise open it off-screen); else centred on the
 * primary display. `workAreas[0]` is the primary display's work area.
 */
export function loadWindowState(file: string, workAreas: readonly Bounds[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...defaultWindowSize };
  let saved: WindowState | undefined;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) saved = parsed.data;
  } catch {
    // No file yet, or not JSON: the defaults.
  }
  if (saved === undefined) return { ...centred(primary), maximized: false };
  const visible = workAreas.some((area) => {
    const o = overlap(saved, area);
    return o.width >= minVisiblePx && o.height >= minVisiblePx;
  });
  if (!visible) return { ...centred(primary), maximized: saved.maximized };
  return {
    ...saved,
    width: Math.max(saved.width, minWindowSize.width),
    height: Math.max(saved.height, minWindowSize.height),
  };
}

/** Written whole to a temporary file and renamed: a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`);
  renameSync(tmp, file);
}

/** The parts of a BrowserWindow that remembering its place needs. */
export type TrackedWindow = {
  getNormalBounds(): Bounds;
  isMaximized(): boolean;
  on(event: 'resize' | 'move' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
};

/**
 * Saves the window's normal (un-maximized) bounds and whether it is maximized: shortly after it stops moving
 * or resizing (a drag fires dozens of events), and when it closes.
 */
export function trackWindowState(win: TrackedWindow, file: string, debounceMs = 500): () => void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    saveWindowState(file, { ...win.getNormalBounds(), maximized: win.isMaximized() });
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', save);
  return () => clearTimeout(timer);
}
