import type { AnyEvent, Method, PickedFile } from '../../../shared/contract';
import type { Result } from '../../../shared/result';

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
  /** Web console only: send a File the page already has (own <input>, drag and drop). */
  uploadFile?(file: File): Promise<PickedFile>;
  /**
   * Resolves once pushed events can be received (the web socket is open), so a job started right
   * after cannot finish before we listen. Resolves anyway after a short wait: never blocks a call.
   */
  eventsReady?(): Promise<void>;
};
