import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
/** Rules outside the serious/critical gate that still matter here, whatever their impact (see below). */
const landmarkAndNameRules = [
  'landmark-no-duplicate-banner',
  'landmark-banner-is-top-level',
  'landmark-unique',
  'label-content-name-mismatch',
];
/** The rules whose outcome depends on colours: all a second colour scheme can change. */
const colourRules = ['color-contrast', 'link-in-text-block'];

/** A drawer fading in or a colour-scheme switch blends colours for 150–200 ms; judge the page at rest. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))),
  );
}

/**
 * One axe pass over the page as it is now. `all`: the WCAG 2.1 A/AA and best-practice rules plus
 * label-content-name-mismatch (experimental in axe, so enabled by name). `colours`: only the colour rules —
 * enough for a second theme of a page already checked in full, at a third of the time.
 */
export async function axeViolations(page: Page, scope: 'all' | 'colours' = 'all'): Promise<Violation[]> {
  await settle(page);
  // Legacy mode runs axe in the page itself: the app has no frames, and the default mode opens a new blank page
  // for every analysis to merge frame results (a third of the tour's time).
  const builder = new AxeBuilder({ page }).setLegacyMode(true);
  if (scope === 'colours') builder.withRules(colourRules);
  else builder.withTags(wcagTags).options({ rules: { 'label-content-name-mismatch': { enabled: true } } });
  return (await builder.analyze()).violations;
}

/** Serious and critical violations, one readable line per node: rule, selector and axe's summary. */
export function seriousProblems(violations: readonly Violation[]): string[] {
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
 * Violations of the rules that matter here whatever their impact: one banner (a dialog's title bar must not add
 * one), unique landmarks, and visible labels inside accessible names.
 */
export function landmarkAndNameProblemsIn(violations: readonly Violation[]): string[] {
  return violations
    .filter((v) => landmarkAndNameRules.includes(v.id))
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** Only the landmark and name rules, for a quick check of a page that the full pass does not visit. */
export async function landmarkAndNameProblems(page: Page): Promise<string[]> {
  await settle(page);
  const { violations } = await new AxeBuilder({ page }).withRules(landmarkAndNameRules).analyze();
  return landmarkAndNameProblemsIn(violations);
}
