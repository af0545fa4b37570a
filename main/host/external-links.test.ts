import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from './external-links';

describe('external links from the desktop window', () => {
  it('opens only https docs links on the listed hosts', () => {
    expect(isAllowedExternalUrl('https://onnxruntime.ai/docs/')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/microsoft/onnxruntime')).toBe(true);
    expect(isAllowedExternalUrl('https://www.onnx.ai/')).toBe(true);
  });

  it('refuses other hosts, look-alikes, other schemes, credentials and ports', () => {
    for (const url of [
      'https://evil.example/phish',
      'https://github.com.evil.example/',
      'https://notgithub.com/',
      'http://github.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'https://user:pw@github.com/',
      'https://github.com:8443/',
      'not a url',
    ]) {
      expect(isAllowedExternalUrl(url)).toBe(false);
    }
  });
});
