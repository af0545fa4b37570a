import { expect, type Page } from '@playwright/test';

/** Switches the system colour scheme the page sees and waits until the app has followed it. */
export async function showColorScheme(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', scheme);
}
