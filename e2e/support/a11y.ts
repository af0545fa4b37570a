import type { Page } from '@playwright/test';

const controlRoles = [
  'button',
  'link',
  'textbox',
  'checkbox',
  'combobox',
  'row',
  'menuitem',
  'tab',
  'switch',
];
/** A control line of an ARIA snapshot that has no quoted name: `- button`, `- link [disabled]:`. */
const unnamedControl = new RegExp(`^\\s*- (${controlRoles.join('|')})(\\s*\\[[^\\]]*\\])?:?\\s*$`);

/**
 * A quick accessibility smoke check without extra packages, over Chromium's accessibility tree (ARIA
 * snapshot): every control has a name, one h1, a page language, unique ids, main and nav landmarks.
 * Returns readable problems (empty when fine). Not a full audit (no contrast), but it catches the easy
 * regressions.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const snapshot = await page.locator('body').ariaSnapshot();
  for (const line of snapshot.split('\n')) {
    if (unnamedControl.test(line)) problems.push(`control without an accessible name: "${line.trim()}"`);
  }
  const h1 = await page.locator('h1:visible').count();
  if (h1 !== 1) problems.push(`expected one visible <h1>, found ${h1}`);
  if (!(await page.locator('html').getAttribute('lang'))) problems.push('<html> has no lang');
  if ((await page.getByRole('main').count()) !== 1) problems.push('expected one main landmark');
  if ((await page.getByRole('navigation').count()) < 1) problems.push('no navigation landmark');
  const ids = await page.locator('[id]').evaluateAll((elements) => elements.map((element) => element.id));
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) problems.push(`duplicate id "${id}"`);
    seen.add(id);
  }
  return problems;
}
