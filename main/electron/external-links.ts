/**
 * The only pages the app hands to the user's browser (`shell.openExternal`). Everything else is refused: a link
 * in a model's metadata, a device name or a log line must not become a way to launch arbitrary URLs or
 * protocol handlers (file:, smb:, custom schemes) from a trusted desktop app.
 */
const externalLinkAllowList: readonly { origin: string; pathPrefix: string }[] = [
  { origin: 'https://onnxruntime.ai', pathPrefix: '/' },
  { origin: 'https://onnx.ai', pathPrefix: '/' },
  { origin: 'https://github.com', pathPrefix: '/microsoft/onnxruntime/' },
  { origin: 'https://github.com', pathPrefix: '/onnx/' },
  { origin: 'https://www.electronjs.org', pathPrefix: '/docs/' },
];

export function isAllowedExternalLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Credentials in a URL are a phishing pattern (https://onnx.ai@evil.example/), never a docs link.
  if (parsed.username !== '' || parsed.password !== '') return false;
  return externalLinkAllowList.some(
    (entry) => parsed.origin === entry.origin && parsed.pathname.startsWith(entry.pathPrefix),
  );
}

/** Opens an allowed link in the browser; returns whether it did. */
export async function openExternalLink(
  url: string,
  openExternal: (url: string) => Promise<void>,
): Promise<boolean> {
  if (!isAllowedExternalLink(url)) return false;
  await openExternal(url);
  return true;
}
