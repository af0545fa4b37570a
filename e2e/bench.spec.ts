import { writeFile } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import { writeSmallCnnFile } from './fixtures/models';
import { expect, test } from './fixtures/web-console';
import { AppShell } from './pages/app-shell';
import { BenchPage } from './pages/bench-page';
import { ModelsPage } from './pages/models-page';
import { OptimizePage } from './pages/optimize-page';
import { accessibilityProblems } from './support/a11y';
import { snap as fullPageSnap, snapThemes } from './support/screenshot';

/** Scrolled back to the top first: a full-page shot of a scrolled page repeats the fixed header mid-image. */
async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await fullPageSnap(page, testInfo, name);
}

const goodProfile = `# A board of ours, measured by hand.
id: lab-board
name: Lab board (Cortex-A55)
arch: arm64
cpuModel: 4× Cortex-A55 @ 2.0 GHz
cores: 4
clockGHz: 2.0
features: [neon, dotprod]
peakGflopsFp32PerThread: 16
peakGflopsFp32: 64
peakGopsInt8PerThread: 64
peakGopsInt8: 256
memoryBandwidthGBs: 12.8
ramGB: 2
sources:
  ramGB: the board's label
`;

const badProfile = `profiles:
  - id: Bad Id
    name: broken
    arch: riscv
    cpuModel: x
    cores: 4
    clockGHz: -1
    features: []
    peakGflopsFp32PerThread: 1
    peakGflopsFp32: 4
    peakGopsInt8PerThread: 1
    peakGopsInt8: 4
    memoryBandwidthGBs: 1
    ramGB: 1
    colour: red
`;

// Each flow runs once; its screenshots are taken in both themes (the UI review material).
test.describe('Benchmark', () => {
  test('two variants on this machine (measured) and a Raspberry Pi 5 (estimated): table, charts, recommendation', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    test.setTimeout(300_000);
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const optimize = new OptimizePage(page);
    const bench = new BenchPage(page);

    // A model and its FP16 variant, made on the Optimize page.
    await shell.open(consoleUrl);
    await models.ready();
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
    await expect(models.row('small-cnn')).toBeVisible();
    const parentId = (await models.row('small-cnn').getAttribute('data-model-id')) ?? '';
    await shell.goTo('optimize');
    await optimize.ready();
    await optimize.chooseMethod('fp16');
    await optimize.runButton.click();
    const fp16Id = await optimize.waitForResult();

    // The parent comes with its variant already picked; this machine is a target by default.
    await shell.goTo('benchmark');
    await bench.ready();
    await expect(bench.variantCheck(parentId)).toBeChecked();
    await expect(bench.variantCheck(fp16Id)).toBeChecked();
    await expect(bench.localCheck()).toBeChecked();
    await expect(page.getByTestId('bench-no-results')).toBeVisible();
    await bench.profileCheck('rpi5').check();
    await bench.useIterations(10);
    await page.getByTestId('bench-threads').fill('1');
    await expect(bench.blocker).toContainText('2 variants × 2 targets');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'bench-form');

    await bench.runButton.click();
    await expect(bench.progressArea).toBeVisible();
    await expect(bench.results).toHaveAttribute('data-from', 'run', { timeout: 120_000 });
    await expect(bench.progressArea).toHaveCount(0);
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');

    // Variants × targets, measured and estimated marked on every row and every target.
    await expect(bench.resultRows).toHaveCount(4);
    for (const id of [parentId, fp16Id]) {
      await expect(bench.row(id, 'this-machine')).toHaveAttribute('data-source', 'measured');
      await expect(bench.row(id, 'this-machine').getByTestId('bench-row-source')).toHaveText('measured');
      await expect(bench.row(id, 'rpi5')).toHaveAttribute('data-source', 'estimated');
      await expect(bench.row(id, 'rpi5').getByTestId('bench-row-source')).toHaveText('estimated');
      await expect(bench.row(id, 'rpi5').getByTestId('bench-p50')).toContainText('≈');
      await expect(bench.row(id, 'rpi5').getByTestId('bench-fits')).toHaveText('yes');
    }
    await expect(bench.row(parentId, 'this-machine')).toContainText('reference (original)');
    await expect(bench.row(fp16Id, 'this-machine')).toContainText('dB');
    const badges = bench.table.getByTestId('bench-source-badge');
    await expect(badges).toHaveText(['measured on this machine', 'estimated']);
    await expect(page.getByTestId('bench-estimator-error')).toContainText('median error');

    // A Pareto chart per target, drawn by recharts: an SVG with one point per variant.
    await expect(bench.charts).toHaveCount(2);
    for (const target of ['this-machine', 'rpi5']) {
      const chart = bench.chart(target);
      await expect(chart.locator('svg.recharts-surface')).toBeVisible();
      await expect(chart.locator('[data-testid="pareto-point"]')).toHaveCount(2);
      // Readable without hovering: numbered points with a key beside the chart, the goal line labelled.
      await expect(chart.getByTestId('pareto-key-row')).toHaveCount(2);
      await expect(
        chart.locator(`[data-testid="pareto-point"][data-model-id="${parentId}"]`),
      ).toHaveAttribute('data-n', '1');
      // recharts 3 draws a reference line's label in a layer of its own, apart from the line.
      await expect(chart.locator('.recharts-reference-line')).toHaveCount(1);
      await expect(chart.locator('.recharts-label', { hasText: 'goal:' })).toHaveCount(1);
    }

    // The recommendation: the fastest that meets the bar, ringed in the chart; a strict bar leaves the original.
    await expect(bench.recommended).toBeVisible();
    const pick = (await bench.recommended.getAttribute('data-model-id')) ?? '';
    expect([parentId, fp16Id]).toContain(pick);
    await expect(
      bench.chart('this-machine').locator(`[data-testid="pareto-point"][data-recommended="true"]`),
    ).toHaveAttribute('data-model-id', pick);
    await bench.chooseMetric('SQNR');
    await bench.threshold.fill('200');
    await expect(bench.recommended).toHaveAttribute('data-model-id', parentId);
    await expect(page.getByTestId('bench-considered')).toContainText('below SQNR ≥ 200 dB');
    await bench.chooseRecommendationTarget('Raspberry Pi 5 — estimated');
    await expect(page.getByTestId('bench-recommendation')).toHaveAttribute('data-target', 'rpi5');
    await expect(bench.recommended).toHaveAttribute('data-model-id', parentId);
    await bench.threshold.fill('30');
    await expect(page.getByTestId('bench-considered')).not.toContainText('below');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'bench-results');

    // "Deploy this" takes the recommended variant to the Deploy page (`#/deploy?model=<id>`).
    const chosen = (await bench.recommended.getAttribute('data-model-id')) ?? '';
    // The Deploy page takes the parameter and then drops it from the URL: listen before the click.
    const toDeploy = page.waitForURL(new RegExp(`#/deploy\\?model=${encodeURIComponent(chosen)}$`));
    await bench.deployButton.click();
    await toDeploy;
    await expect(shell.navLink('deploy')).toHaveAttribute('aria-current', 'page');

    // Back on the page, the run's results are still there; the stored ones are one click away.
    await shell.goTo('benchmark');
    await expect(bench.results).toHaveAttribute('data-from', 'run');
    await page.getByTestId('bench-show-stored').click();
    await expect(bench.results).toHaveAttribute('data-from', 'stored');
    await expect(bench.resultRows).toHaveCount(4);
  });

  test('hardware profiles: the catalog with sources, import with field errors, remove', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    // Calibrating this machine takes seconds alone, much longer on a busy 2-core machine.
    test.setTimeout(180_000);
    const shell = new AppShell(page);
    const bench = new BenchPage(page);
    await shell.open(consoleUrl);
    await shell.goTo('benchmark');
    await expect(page.getByTestId('bench-no-models')).toBeVisible();
    await bench.openProfiles();
    expect(await bench.profileRows.count()).toBeGreaterThanOrEqual(10);
    await expect(bench.profileRow('rpi5')).toHaveAttribute('data-origin', 'builtin');

    await bench.profileRow('rpi5').click();
    const detail = page.getByTestId('profile-detail');
    await expect(detail).toHaveAttribute('data-profile-id', 'rpi5');
    await expect(detail.getByTestId('profile-sources')).toContainText('FP32 GFLOP/s (all cores)');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'profile-detail');
    await page.keyboard.press('Escape');
    await expect(detail).toHaveCount(0);

    // A bad file: every field named with the reason, nothing imported.
    const bad = testInfo.outputPath('boards.yaml');
    await writeFile(bad, badProfile);
    await bench.importInput.setInputFiles(bad);
    const invalid = page.getByTestId('profile-import-invalid');
    await expect(invalid).toBeVisible();
    await expect(invalid).toContainText('boards.yaml was not imported');
    const issues = page.getByTestId('profile-issue');
    for (const path of ['profiles[0].id', 'profiles[0].arch', 'profiles[0].clockGHz', 'profiles[0]']) {
      await expect(issues.and(page.locator(`[data-path="${path}"]`))).toHaveCount(1);
    }
    await expect(invalid).toContainText('unknown field "colour"');
    await expect(invalid).toContainText('expected one of arm64, armv7, x86_64');
    await expect(bench.profileRows.and(page.locator('[data-origin="user"]'))).toHaveCount(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'profile-import-errors');

    // A good one: listed as the user's own, usable as a target, removable.
    const good = testInfo.outputPath('lab-board.yaml');
    await writeFile(good, goodProfile);
    await bench.importInput.setInputFiles(good);
    await expect(page.getByTestId('profile-import-done')).toContainText('lab-board (added)');
    await expect(bench.profileRow('lab-board')).toHaveAttribute('data-origin', 'user');
    await expect(bench.profileRow('lab-board')).toContainText('Lab board (Cortex-A55)');
    await snapThemes(page, testInfo, 'profiles');

    await bench.profileRow('lab-board').getByTestId('profile-remove').click();
    await page.getByTestId('profile-remove-confirm').click();
    await expect(bench.profileRow('lab-board')).toHaveCount(0);
    await expect(bench.profileRow('rpi5').getByTestId('profile-remove')).toHaveCount(0);

    // "This machine" is measured, not looked up: ORT micro-runs, with what they reached.
    await page.getByTestId('measure-this-machine').click();
    const measured = page.getByTestId('this-machine-card').getByTestId('profile-measured');
    await expect(measured).toBeVisible({ timeout: 60_000 });
    await expect(measured).toContainText('GFLOP/s');
    await expect(page.getByTestId('this-machine-card').getByTestId('profile-detail')).toHaveAttribute(
      'data-profile-id',
      'this-machine',
    );
  });
});

test('cancelling a benchmark stops it and says so', async ({ page, consoleUrl }, testInfo) => {
  test.setTimeout(180_000);
  const shell = new AppShell(page);
  const models = new ModelsPage(page);
  const bench = new BenchPage(page);
  await shell.open(consoleUrl);
  await models.ready();
  await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
  await expect(models.row('small-cnn')).toBeVisible();
  await shell.goTo('benchmark');
  await bench.ready();
  await page.getByTestId('bench-duration').fill('120');
  await bench.runButton.click();
  // Cancel while the variant is being measured (a child process running for two minutes).
  await expect(page.getByTestId('bench-phase')).toContainText('Measuring', { timeout: 60_000 });
  await bench.cancelButton.click();
  await expect(page.getByTestId('bench-cancelled')).toBeVisible({ timeout: 30_000 });
  await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
  await expect(bench.runButton).toBeEnabled();
  await expect(page.getByTestId('bench-no-results')).toBeVisible();
  await snap(page, testInfo, 'light-bench-cancelled');
});
