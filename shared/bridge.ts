import type { AnyEvent, Method } from './contract';
import type { Result } from './result';

/**
 * What the Electron preload exposes as `window.edgefleet`. Payloads are validated in main;
 * the renderer client validates results again against the contract.
 */
export type EdgefleetBridge = {
  invoke(method: Method, params: unknown): Promise<Result<unknown>>;
  onEvent(listener: (event: AnyEvent) => void): () => void;
};

/** Web console protocol (main/host/web-host.ts ↔ renderer/src/api/web-transport.ts). */
export const webPaths = {
  call: '/api/call',
  upload: '/api/upload',
  events: '/api/events',
} as const;
export const tokenCookieName = 'edgefleet_token';
export const uploadNameHeader = 'x-edgefleet-file-name';
/**
 * Folder uploads (calibration data): `new` on the first file starts a folder and the answer's fileRef names it;
 * later files send that fileRef. The name header then carries the file's path relative to the folder.
 */
export const uploadGroupHeader = 'x-edgefleet-upload-group';
