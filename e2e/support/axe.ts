import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * Serious and critical axe-core violations (WCAG 2.1 A/AA rules) on the page as it is now, one readable line per
 * node: rule, selector and axe's summary. Empty when fine.
 */
export async function axeProblems(page: Page): Promise<string[]> {
  // A drawer fading in or a colour-scheme switch blends colours for 150–200 ms; judge the page at rest.
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))),
  );
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => {
        const summary = (n.failureSummary ?? '')
          .replace(/\s+/g, ' ')
          .replace(/^Fix any of the following: /, '');
        return `${v.id} (${v.impact}): ${n.target.join(' ')} — ${summary.slice(0, 150)}`;
      }),
    );
}

/**
 * Rules outside the serious/critical gate that still matter here, whatever their impact: one banner (a
 * dialog's title bar must not add one), unique landmarks, and visible labels inside accessible names (axe keeps
 * that rule experimental, so it runs only when asked for).
 */
export async function landmarkAndNameProblems(page: Page): Promise<string[]> {
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))),
  );
  const { violations } = await new AxeBuilder({ page })
    .withRules([
      'landmark-no-duplicate-banner',
      'landmark-banner-is-top-level',
      'landmark-unique',
      'label-content-name-mismatch',
    ])
    .analyze();
  return violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}
