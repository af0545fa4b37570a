import { withSmallCnn } from './support/small-cnn';
import type { Locator, Page } from '@playwright/test';
import { callApi } from './fixtures/console-api';
import { expect, test } from './fixtures/web-console';
import { AppShell, sectionPaths, type SectionPath } from './pages/app-shell';
import { BenchPage } from './pages/bench-page';
import { DeployPage } from './pages/deploy-page';
import { FleetPage } from './pages/fleet-page';
import { landmarkAndNameProblems } from './support/axe';

/** The one h1 of the page, inside the shared title with the section's icon (the navbar's). */
async function expectTitleWithIcon(page: Page, section: SectionPath): Promise<void> {
  const title = page.getByTestId('page-title');
  await expect(title).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
  await expect(title.getByRole('heading', { level: 1 })).toBeVisible();
  const iconPath = await title.locator('svg path').first().getAttribute('d');
  expect(iconPath, `${section} title icon`).toBeTruthy();
  expect(await new AppShell(page).navLink(section).locator('svg path').first().getAttribute('d')).toBe(
    iconPath,
  );
}

/** A panel's own test id around the shared empty state: icon, title, sentence. */
async function expectSharedEmptyState(panel: Locator): Promise<void> {
  await expect(panel).toBeVisible();
  const empty = panel.getByTestId('empty-state');
  await expect(empty).toHaveCount(1);
  await expect(empty.locator('svg')).toHaveCount(1);
  await expect(empty).not.toHaveText('');
}

test('every page: its title with the section icon, and the shared empty state when there is nothing', async ({
  page,
  consoleUrl,
}) => {
  test.setTimeout(150_000);
  const shell = new AppShell(page);
  await shell.open(consoleUrl);

  const empties: Record<SectionPath, string[]> = {
    models: ['models-empty'],
    optimize: ['optimize-no-models'],
    benchmark: ['bench-no-models'],
    fleet: ['fleet-empty'],
    deploy: ['deploy-missing'],
    history: ['releases-empty', 'deployments-empty'],
  };
  for (const section of sectionPaths) {
    await shell.goTo(section);
    await expectTitleWithIcon(page, section);
    for (const testId of empties[section]) await expectSharedEmptyState(page.getByTestId(testId));
    expect(await landmarkAndNameProblems(page), section).toEqual([]);
  }

  // An empty state's button does what its sentence says: here, go where models are imported.
  await shell.goTo('optimize');
  await page.getByTestId('optimize-no-models').getByRole('link', { name: 'Import a model' }).click();
  await expect(shell.navLink('models')).toHaveAttribute('aria-current', 'page');

  // The device drawer open: still one banner (the app header), and names that contain the visible labels.
  await callApi(page, 'devices.add', {
    name: 'edge-a',
    host: '127.0.0.1',
    port: 2,
    user: 'edge',
    authMethod: 'agent',
  });
  // Added behind the page's back: a reload reads the inventory again.
  await page.reload();
  await shell.goTo('fleet');
  const fleet = new FleetPage(page);
  await fleet.ready();
  await fleet.row('edge-a').getByTestId('device-name').click();
  await expect(fleet.detail.root).toBeVisible();
  await expect(page.getByRole('banner')).toHaveCount(1);
  expect(await landmarkAndNameProblems(page), 'fleet with the device drawer open').toEqual([]);
  await page.keyboard.press('Escape');
  await expect(fleet.detail.root).toBeHidden();

  // Filters that match nothing: the same empty state, with the button that clears them.
  await fleet.search.fill('no-such-device');
  await expectSharedEmptyState(page.getByTestId('fleet-no-match'));
  await page.getByTestId('fleet-no-match').getByRole('button', { name: 'Clear filters' }).click();
  await expect(fleet.row('edge-a')).toBeVisible();
});

test('after an optimize run, "Benchmark this" and "Deploy this" open those pages with the variant picked', async ({
  page,
  consoleUrl,
}, testInfo) => {
  test.setTimeout(150_000);
  const { shell, models, optimize } = await withSmallCnn(page, consoleUrl, testInfo);
  // A device, so the Deploy page shows its form rather than its empty state.
  await callApi(page, 'devices.add', {
    name: 'edge-a',
    host: '127.0.0.1',
    port: 2,
    user: 'edge',
    authMethod: 'agent',
  });
  const [parent] = await callApi(page, 'models.list', {});
  if (!parent) throw new Error('the import left no model');

  await shell.goTo('optimize');
  await optimize.ready();
  await expect(optimize.modelSelect).toHaveValue('small-cnn');
  await expectSharedEmptyState(page.getByTestId('optimize-no-run'));
  await optimize.chooseMethod('fp16');
  await optimize.runButton.click();
  const fp16Id = await optimize.waitForResult();
  await expect(optimize.variantLink).toHaveText('small-cnn-fp16');
  await expect(page.getByTestId('optimize-no-run')).toHaveCount(0);

  // Benchmark this: the variant, next to the model it was made from.
  await optimize.result.getByRole('link', { name: 'Benchmark this' }).click();
  const bench = new BenchPage(page);
  await bench.ready();
  await expect(shell.navLink('benchmark')).toHaveAttribute('aria-current', 'page');
  await expect(bench.variantCheck(fp16Id)).toBeChecked();
  await expect(bench.variantCheck(parent.id)).toBeChecked();
  await expectSharedEmptyState(page.getByTestId('bench-no-results'));

  // Back to the run, which is still shown; Deploy this: the variant is what ships.
  await page.goBack();
  await expect(shell.navLink('optimize')).toHaveAttribute('aria-current', 'page');
  await expect(optimize.result).toHaveAttribute('data-variant-id', fp16Id);
  await optimize.result.getByRole('link', { name: 'Deploy this' }).click();
  const deploy = new DeployPage(page);
  await deploy.ready();
  await expect(shell.navLink('deploy')).toHaveAttribute('aria-current', 'page');
  await expect(deploy.variantFacts).toHaveAttribute('data-model-id', fp16Id);
  await expect(deploy.variantSelect).toHaveValue(/small-cnn-fp16/);

  // The variant's own page: the Models icon on its title, and its empty lineage offers the same next steps.
  await shell.goTo('models');
  await models.row('small-cnn-fp16').getByTestId('model-name').click();
  await expect(page.getByTestId('model-title')).toHaveText('small-cnn-fp16');
  await expectTitleWithIcon(page, 'models');
  await expectSharedEmptyState(page.getByTestId('lineage-devices-empty'));
  await expectSharedEmptyState(page.getByTestId('lineage-benchmarks-empty'));
  await page.getByTestId('lineage-benchmarks-empty').getByRole('link', { name: 'Benchmark it' }).click();
  await bench.ready();
  await expect(bench.variantCheck(fp16Id)).toBeChecked();
});
