import { expect, test } from './fixtures/deploy-devices';
import { AppShell } from './pages/app-shell';
import { axeViolations, landmarkAndNameProblemsIn, seriousProblems } from './support/axe';
import { showColorScheme } from './support/color-scheme';
import { overflowProblems } from './support/overflow';
import { buildStage, emptyStops, fullStops, leave, type TourStop } from './support/ui-tour';

const viewports = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/**
 * The README tour's pictures: small PNGs of each page at 1280×800 (the viewport, not the full page). Written to
 * docs/screenshots/ only when asked (`EDGEFLEET_TOUR_SCREENSHOTS=1 npx playwright test e2e/ui-overflow.spec.ts`),
 * so that a test run leaves the checkout as it was; otherwise into the test's own output folder.
 */
const tourScreenshots = process.env['EDGEFLEET_TOUR_SCREENSHOTS'] === '1';
const docsScreenshotDir = new URL('../docs/screenshots/', import.meta.url).pathname;

/**
 * One tour for the page-wide checks (the stage it needs is the slow part, so it is built once): at 1280×800
 * every stop is checked for overflow, by axe in light (every rule) and dark mode (the colour rules, the only
 * ones a colour scheme can change) and photographed; at 1920×1080 it is checked for overflow again.
 */
test('every page and state: no card overflows at 1280×800 and 1920×1080, no serious or critical axe violation in light and dark mode; screenshots for the README tour', async ({
  page,
  consoleUrl,
  deployDevices,
}, testInfo) => {
  test.setTimeout(900_000);
  await new AppShell(page).open(consoleUrl);
  const check = async (stops: readonly TourStop[]) => {
    for (const viewport of viewports) {
      await page.setViewportSize(viewport);
      for (const stop of stops) {
        await stop.visit(page);
        const where = `${stop.name} at ${viewport.width}×${viewport.height}`;
        expect.soft(await overflowProblems(page), where).toEqual([]);
        if (viewport.width === 1280) {
          const path = tourScreenshots
            ? `${docsScreenshotDir}${stop.name}.png`
            : testInfo.outputPath(`tour-${stop.name}.png`);
          await page.screenshot({ path, animations: 'disabled' });
          const light = await axeViolations(page, 'all');
          expect.soft(seriousProblems(light), `${stop.name} (light)`).toEqual([]);
          expect.soft(landmarkAndNameProblemsIn(light), `${stop.name}: landmarks and names`).toEqual([]);
          await showColorScheme(page, 'dark');
          expect
            .soft(seriousProblems(await axeViolations(page, 'colours')), `${stop.name} (dark)`)
            .toEqual([]);
          await showColorScheme(page, 'light');
        }
        await leave(page);
      }
    }
  };
  await check(emptyStops);
  await page.setViewportSize(viewports[0]);
  const stage = await buildStage(page, testInfo, deployDevices);
  await check(fullStops(stage));
});
