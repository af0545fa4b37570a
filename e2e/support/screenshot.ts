import type { Page, TestInfo } from '@playwright/test';

/** A full-page screenshot kept in the test's output dir and attached to the report (for UI review). */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<string> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path, contentType: 'image/png' });
  return path;
}
