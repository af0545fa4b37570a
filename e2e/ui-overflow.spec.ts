import { expect, test } from './fixtures/deploy-devices';
import { AppShell } from './pages/app-shell';
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

test('no card overflows on any page or state, at 1280×800 and 1920×1080; screenshots for the README tour', async ({
  page,
  consoleUrl,
  deployDevices,
}, testInfo) => {
  test.setTimeout(360_000);
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
