import type { AnyEvent, Method, PickedFile } from '../../../shared/contract';
import type { Result } from '../../../shared/result';

/** How far a folder upload has got (files are sent one request each). */
export type UploadProgress = { filesSent: number; filesTotal: number; bytesSent: number; bytesTotal: number };

export type UploadOptions = {
  onProgress?: (progress: UploadProgress) => void;
  /** Stops between files; the upload then rejects with CANCELLED. */
  signal?: AbortSignal;
  /** What the file is for (pickData): the desktop dialog's title and file-type filters; default samples. */
  use?: 'data' | 'inventories' | 'profiles';
};

/**
 * How the typed client reaches main. Two implementations: Electron IPC (preload bridge) and the web
 * console (HTTP + WebSocket). Nothing above the client knows which one is in use.
 */
export type Transport = {
  /** Which shell the transport talks to; decides e.g. native dialog vs. browser upload. */
  readonly kind: 'electron' | 'web';
  invoke(method: Method, params: unknown): Promise<Result<unknown>>;
  subscribe(listener: (event: AnyEvent) => void): () => void;
  /** Lets the user choose an .onnx file; null when they cancel. Throws AppError on failure. */
  pickModelFile(): Promise<PickedFile | null>;
  /**
   * Lets the user choose calibration/evaluation data: one file, or a folder. Electron: native dialog in main;
   * web console: the browser's chooser, then an upload (with progress). null when the user cancels.
   */
  pickData(kind: 'file' | 'folder', options?: UploadOptions): Promise<PickedFile | null>;
  /** Web console only: send a File the page already has (own <input>, drag and drop). */
  uploadFile?(file: File): Promise<PickedFile>;
  /**
   * Web console only: send the files of a folder the page holds (`<input webkitdirectory>`), keeping their
   * paths relative to the folder; the answer's reference names the folder.
   */
  uploadFolder?(files: readonly File[], options?: UploadOptions): Promise<PickedFile>;
  /**
   * Resolves once pushed events can be received (the web socket is open), so a job started right
   * after cannot finish before we listen. Resolves anyway after a short wait: never blocks a call.
   */
  eventsReady?(): Promise<void>;
};
