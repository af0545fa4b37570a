/**
 * Hosts the desktop window may open in the user's browser. The renderer is untrusted: without a list, any
 * https URL (a phishing page, a download) could be opened in the user's name. The UI links only to docs.
 */
export const externalLinkHosts: readonly string[] = ['onnxruntime.ai', 'onnx.ai', 'github.com'];

/** https, on a listed host (or its subdomain), no credentials in the URL, default port. */
export function isAllowedExternalUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '')
    return false;
  const host = url.hostname.toLowerCase();
  return externalLinkHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}
