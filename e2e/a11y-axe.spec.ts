import { expect, test } from './fixtures/deploy-devices';
import { AppShell } from './pages/app-shell';
import { axeViolations, landmarkAndNameProblemsIn, seriousProblems } from './support/axe';
import { showColorScheme } from './support/color-scheme';
import { buildStage, emptyStops, fullStops, leave, type TourStop } from './support/ui-tour';

test('axe: no serious or critical violation on any page or state, in light and dark mode', async ({
  page,
  consoleUrl,
  deployDevices,
}, testInfo) => {
  test.setTimeout(900_000);
  await new AppShell(page).open(consoleUrl);
  const check = async (stops: readonly TourStop[]) => {
    for (const stop of stops) {
      await stop.visit(page);
      // Every rule in light; in dark only the colour rules, the only ones a colour scheme can change.
      const light = await axeViolations(page, 'all');
      expect.soft(seriousProblems(light), `${stop.name} (light)`).toEqual([]);
      expect.soft(landmarkAndNameProblemsIn(light), `${stop.name}: landmarks and names`).toEqual([]);
      await showColorScheme(page, 'dark');
      expect.soft(seriousProblems(await axeViolations(page, 'colours')), `${stop.name} (dark)`).toEqual([]);
      await showColorScheme(page, 'light');
      await leave(page);
    }
  };
  await check(emptyStops);
  const stage = await buildStage(page, testInfo, deployDevices);
  await check(fullStops(stage));
});
