import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/fixtures/temp-dir';
import {
  loadWindowState,
  saveWindowState,
  trackWindowState,
  type Bounds,
  type TrackedWindow,
} from './window-state';

const primary: Bounds = { x: 0, y: 0, width: 1920, height: 1040 };
const right: Bounds = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state', () => {
  it('opens centred at the default size the first time', () => {
    const state = loadWindowState(join(tempDir(), 'w.json'), [primary]);
    expect(state).toEqual({ x: 300, y: 90, width: 1320, height: 860, maximized: false });
  });

  it('reopens where it was saved, maximized or not', () => {
    const file = join(tempDir(), 'w.json');
    saveWindowState(file, { x: 2000, y: 50, width: 1500, height: 900, maximized: true });
    expect(loadWindowState(file, [primary, right])).toEqual({
      x: 2000,
      y: 50,
      width: 1500,
      height: 900,
      maximized: true,
    });
  });

  it('moves back onto a display when the saved one is gone, and ignores a damaged file', () => {
    const file = join(tempDir(), 'w.json');
    saveWindowState(file, { x: 2000, y: 50, width: 1500, height: 900, maximized: false });
    expect(loadWindowState(file, [primary])).toMatchObject({ x: 300, y: 90, width: 1320, height: 860 });
    writeFileSync(file, '{"x": "left"}');
    expect(loadWindowState(file, [primary])).toMatchObject({ x: 300, y: 90 });
  });

  it('saves after moving stops and on close', async () => {
    const file = join(tempDir(), 'w.json');
    const listeners = new Map<string, () => void>();
    let bounds: Bounds = { x: 10, y: 20, width: 1000, height: 700 };
    const win: TrackedWindow = {
      getNormalBounds: () => bounds,
      isMaximized: () => false,
      on: (event, listener) => listeners.set(event, listener),
    };
    trackWindowState(win, file, 5);
    bounds = { x: 40, y: 20, width: 1000, height: 700 };
    listeners.get('move')?.();
    await new Promise((r) => setTimeout(r, 50));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ x: 40 });
    bounds = { x: 40, y: 20, width: 1100, height: 700 };
    listeners.get('close')?.();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ width: 1100, maximized: false });
  });
});
