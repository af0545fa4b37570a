import type { Page, TestInfo } from '@playwright/test';
import { showColorScheme } from './color-scheme';

/** A full-page screenshot kept in the test's output dir and attached to the report (for UI review). */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  return path;
}

/**
 * The UI review material: the same moment in both themes (`light-<name>`, `dark-<name>`), so each flow runs once
 * and is still seen in both (the app follows the system's scheme). Scrolled to the top first: a full-page shot
 * of a scrolled page repeats the fixed header mid-image.
 */
export async function snapThemes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  for (const scheme of ['light', 'dark'] as const) {
    await showColorScheme(page, scheme);
    await snap(page, testInfo, `${scheme}-${name}`);
  }
  await showColorScheme(page, 'light');
}
