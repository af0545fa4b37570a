import { expect, test } from './fixtures/deploy-devices';
import { AppShell } from './pages/app-shell';
import { axeProblems, landmarkAndNameProblems } from './support/axe';
import { buildStage, emptyStops, fullStops, leave, type TourStop } from './support/ui-tour';

test('axe: no serious or critical violation on any page or state, in light and dark mode', async ({
  page,
  consoleUrl,
  deployDevices,
}, testInfo) => {
  test.setTimeout(300_000);
  await new AppShell(page).open(consoleUrl);
  const check = async (stops: readonly TourStop[]) => {
    for (const stop of stops) {
      await stop.visit(page);
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', scheme);
        expect.soft(await axeProblems(page), `${stop.name} (${scheme})`).toEqual([]);
      }
      expect.soft(await landmarkAndNameProblems(page), `${stop.name}: landmarks and names`).toEqual([]);
      await page.emulateMedia({ colorScheme: 'light' });
      await leave(page);
    }
  };
  await check(emptyStops);
  const stage = await buildStage(page, testInfo, deployDevices);
  await check(fullStops(stage));
});
