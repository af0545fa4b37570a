// Unit test files share modules (isolate: false), so a hook registered when render.tsx first loads would run
// only in the first file: this setup file runs for every file and unmounts what a DOM test rendered.
import { afterEach } from 'vitest';

afterEach(async () => {
  if (typeof document === 'undefined') return;
  const { cleanup } = await import('@testing-library/react');
  cleanup();
});
