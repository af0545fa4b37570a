import { AppError } from '../../../shared/errors';

/** The packages with compiled parts: the ones `npm rebuild` fixes after a Node or Electron upgrade. */
type NativeModuleName = 'better-sqlite3' | 'onnxruntime-node' | 'sharp' | 'ssh2';

/**
 * Runs `load` (a require, or the first use that opens the compiled addon) and turns the ways a native module
 * fails to load — absent, built for another ABI (NODE_MODULE_VERSION), a corrupt or foreign .node file — into
 * one NATIVE_MODULE_UNAVAILABLE error that names the fix, instead of a loader stack trace. Other errors pass.
 */
export function loadNativeModule<T>(name: NativeModuleName, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!isNativeLoadFailure(err, name)) throw err;
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300) ?? '';
    throw new AppError(
      'NATIVE_MODULE_UNAVAILABLE',
      `The native module ${name} cannot be loaded (${reason}). Run \`npm rebuild ${name}\` in the EdgeFleet folder ` +
        '(after a Node.js upgrade or a copied node_modules), or reinstall with `npm ci`.',
      { module: name },
    );
  }
}

function isNativeLoadFailure(err: unknown, name: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_DLOPEN_FAILED') return true;
  // The package itself (or its addon file) is missing, not some module it loads later on purpose.
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return err.message.includes(`'${name}'`) || err.message.includes('.node');
  }
  return /NODE_MODULE_VERSION|Could not locate the bindings file|invalid ELF header|wrong ELF class/.test(
    err.message,
  );
}
