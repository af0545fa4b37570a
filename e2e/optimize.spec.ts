import { writeSmallCnnFile } from './fixtures/models';
import { writeNpySampleFolder } from './fixtures/npy';
import { expect, test } from './fixtures/web-console';
import { AppShell } from './pages/app-shell';
import { ModelDetailPage } from './pages/model-detail-page';
import { ModelsPage } from './pages/models-page';
import { OptimizePage } from './pages/optimize-page';
import { accessibilityProblems } from './support/a11y';
import { snapThemes } from './support/screenshot';

/** Imports the small CNN through the Models page and opens the Optimize page. */
async function startWithSmallCnn(
  shell: AppShell,
  models: ModelsPage,
  optimize: OptimizePage,
  consoleUrl: string,
  onnxPath: string,
): Promise<void> {
  await shell.open(consoleUrl);
  await models.ready();
  await models.importFile(await writeSmallCnnFile(onnxPath));
  await expect(models.row('small-cnn')).toBeVisible();
  await shell.goTo('optimize');
  await optimize.ready();
  await expect(optimize.modelSelect).toHaveValue('small-cnn');
}

// Each flow runs once; its screenshots are taken in both themes (the UI review material).
test.describe('Optimize', () => {
  test('fp16, then static INT8 on an uploaded folder, then exclude the worst layers and re-run', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    test.setTimeout(300_000);
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const optimize = new OptimizePage(page);
    const detail = new ModelDetailPage(page);
    await startWithSmallCnn(shell, models, optimize, consoleUrl, testInfo.outputPath('small-cnn.onnx'));
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'optimize-form');

    // FP16: half the bytes, the same answers.
    await optimize.chooseMethod('fp16');
    await expect(optimize.page.getByTestId('calibration-field')).toHaveCount(0);
    await optimize.runButton.click();
    await expect(optimize.progressArea).toBeVisible();
    const fp16Id = await optimize.waitForResult();
    await expect(optimize.variantLink).toHaveText('small-cnn-fp16');
    const sizeRatio = await optimize.cardNumber('size');
    // ≈ 0.5: the weights halve; in a 7 KiB model the graph itself and the Casts at the edges weigh a little.
    expect(sizeRatio).toBeGreaterThan(0.45);
    expect(sizeRatio).toBeLessThan(0.65);
    await expect(optimize.card('size')).toHaveAttribute('data-grade', 'good');
    expect(await optimize.cardNumber('cosine')).toBeGreaterThan(0.999);
    await expect(optimize.card('top1')).toBeVisible();
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'optimize-fp16-result');

    // Static INT8 calibrated on a folder of .npy samples uploaded from the browser.
    const calib = await writeNpySampleFolder(testInfo.outputPath('calib'), 24);
    await optimize.chooseMethod('int8-static');
    await optimize.chooseCalibrationFolder(calib);
    await expect(optimize.calibrationSource).toContainText('calib/');
    await expect(optimize.calibrationSource).toContainText('24 files');
    await expect(optimize.blocker).not.toContainText('Choose');
    await snapThemes(page, testInfo, 'optimize-static-form');
    await optimize.runButton.click();
    const staticId = await optimize.waitForResult(fp16Id);
    await expect(optimize.variantLink).toHaveText('small-cnn-int8-static');
    // Smaller, though far from 0.25× here: in a 7 KiB model the QDQ nodes weigh as much as the weights.
    expect(await optimize.cardNumber('size')).toBeLessThan(1);
    await expect(optimize.card('sqnr')).toContainText('dB');
    await expect(optimize.convertedOps).toContainText('Conv');
    await expect(page.getByTestId('fidelity-source')).toContainText('held-out');
    const layers = await optimize.layerRows.count();
    expect(layers).toBeGreaterThan(2);
    // Worst first: each row's SQNR is at most the next one's.
    const sqnrs = await optimize.layerRows
      .getByTestId('layer-sqnr')
      .evaluateAll((cells) => cells.map((c) => Number.parseFloat(c.textContent ?? '')));
    const known = sqnrs.filter((v) => Number.isFinite(v));
    expect(known).toEqual([...known].sort((a, b) => a - b));
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'optimize-static-result');

    // Pick the two worst layers that have a producer and re-run without them, in one click.
    const picked = await optimize.pickWorstLayers(2);
    expect(picked).toHaveLength(2);
    await expect(optimize.excludePreview).toContainText('Re-run leaves in float');
    await snapThemes(page, testInfo, 'optimize-layers-picked');
    await optimize.excludeRerun.click();
    const rerunId = await optimize.waitForResult(staticId);
    await expect(optimize.result).toHaveAttribute('data-existed', 'false');
    await expect(page.getByTestId('result-excluded')).toContainText('excluded:');
    await expect(optimize.variantLink).toHaveText('small-cnn-int8-static (2)');
    await snapThemes(page, testInfo, 'optimize-rerun-result');

    // The library lists the three variants under their parent.
    await shell.goTo('models');
    await expect(models.rows).toHaveCount(4);
    const parentRow = models.row('small-cnn');
    await expect(parentRow).toHaveAttribute('data-depth', '0');
    const parentId = await parentRow.getAttribute('data-model-id');
    for (const id of [fp16Id, staticId, rerunId]) {
      const row = page.locator(`[data-testid="model-row"][data-model-id="${id}"]`);
      await expect(row).toHaveAttribute('data-depth', '1');
      await expect(row).toHaveAttribute('data-parent-id', parentId ?? '');
    }
    expect(await models.rows.first().getAttribute('data-model-id')).toBe(parentId);
    await snapThemes(page, testInfo, 'models-with-variants');

    // A variant's page: lineage back to the parent, and the same report.
    await page.locator(`[data-testid="model-row"][data-model-id="${rerunId}"]`).click();
    await expect(detail.title).toHaveText('small-cnn-int8-static (2)');
    await expect(page.getByTestId('lineage-parent')).toHaveText('small-cnn');
    await expect(page.getByTestId('lineage-method')).toHaveText('int8-static');
    await expect(page.getByTestId('lineage-config').locator('[data-key="exclude"]')).not.toHaveText('—');
    await expect(page.getByTestId('lineage-calibration')).toContainText('samples');
    await expect(page.getByTestId('model-report').getByTestId('card-size')).toBeVisible();
    await expect(page.getByTestId('model-report').getByTestId('layer-row').first()).toBeVisible();
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'variant-detail');

    // "Tune and re-run…": back on the Optimize page with the parent, the method and its options filled in.
    const excluded = await page.getByTestId('lineage-config').locator('[data-key="exclude"]').innerText();
    await page.getByTestId('tune-variant').click();
    await optimize.ready();
    await expect(optimize.modelSelect).toHaveValue('small-cnn');
    await expect(optimize.runButton).toContainText('INT8 static');
    for (const entry of excluded.split(', ')) {
      await expect(page.getByTestId('optimize-options-card')).toContainText(entry);
    }
  });

  test('auto (the default): goal checked as typed, a 1-minute search on random data, its report and a re-run with overrides', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    test.setTimeout(420_000);
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const optimize = new OptimizePage(page);
    const detail = new ModelDetailPage(page);
    await startWithSmallCnn(shell, models, optimize, consoleUrl, testInfo.outputPath('small-cnn.onnx'));
    await expect(optimize.runButton).toContainText('Run auto search');

    // A goal that cannot be read says why at once, and blocks the run.
    await optimize.useRandomCalibration(16);
    await optimize.goalInput.fill('cosine>=1.5');
    await expect(page.getByTestId('optimize-options-card')).toContainText('cosine must be in (0, 1]');
    await expect(optimize.blocker).toContainText('goal');
    await optimize.goalInput.fill('cosine>=0.99');
    await optimize.budgetInput.fill('1');
    await expect(optimize.blocker).not.toContainText('goal');
    await expect(optimize.runButton).toBeEnabled();
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'optimize-auto-form');

    await optimize.runButton.click();
    await expect(optimize.progressArea).toBeVisible();
    const firstId = await optimize.waitForResult(undefined, 240_000);
    await expect(optimize.autoVerdict).toBeVisible();
    await expect(page.getByTestId('auto-verdict-text')).not.toBeEmpty();
    expect(await optimize.autoCandidates.count()).toBeGreaterThan(1);
    // At most one recommended row, and exactly one when the verdict recommends a variant.
    const tone = await optimize.autoVerdict.getAttribute('data-tone');
    const recommended = page.locator('[data-testid="auto-candidate"][data-recommended="true"]');
    await expect(recommended).toHaveCount(tone === 'recommended' ? 1 : 0);
    expect(await optimize.autoChartPoints.count()).toBeGreaterThan(0);
    expect(await optimize.autoNodes.count()).toBeGreaterThan(0);
    await expect(page.getByTestId('auto-measured-on')).toContainText('ONNX Runtime');
    // The stored variant's own report follows the search.
    await expect(optimize.card('size')).toBeVisible();
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'optimize-auto-result');

    // Flip the most sensitive node and re-run the same search in one click.
    const first = optimize.autoNodes.first();
    const node = (await first.getAttribute('data-node')) ?? '';
    const decision = await first.getAttribute('data-decision');
    await first.getByTestId('auto-node-pick').check();
    await expect(page.getByTestId('auto-rerun-preview')).toContainText(node);
    await optimize.autoRerun.click();
    await expect(optimize.progressArea).toBeVisible();
    await optimize.waitForResult(undefined, 240_000);
    const forced = page.getByTestId(decision === 'int8' ? 'option-force-float' : 'option-force-int8');
    await expect(page.getByTestId('optimize-options-card')).toContainText(node);
    await expect(forced).toBeVisible();
    await expect(optimize.autoVerdict).toBeVisible();

    // The first variant's page shows the same search.
    await shell.goTo('models');
    await page.locator(`[data-testid="model-row"][data-model-id="${firstId}"]`).click();
    await expect(detail.title).toBeVisible();
    await expect(page.getByTestId('model-report').getByTestId('auto-verdict')).toBeVisible();
    await expect(page.getByTestId('model-report').getByTestId('auto-candidate').first()).toBeVisible();
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'variant-detail-auto');

    // Its re-run opens the Optimize page on the parent with the search's options, the flip and its data.
    const report = page.getByTestId('model-report');
    const nodeRow = report.getByTestId('auto-node').first();
    const flipped = (await nodeRow.getAttribute('data-node')) ?? '';
    await nodeRow.getByTestId('auto-node-pick').check();
    await report.getByTestId('auto-rerun').click();
    await optimize.ready();
    await expect(optimize.modelSelect).toHaveValue('small-cnn');
    await expect(optimize.runButton).toContainText('Run auto search');
    await expect(optimize.goalInput).toHaveValue('cosine>=0.99');
    await expect(page.getByTestId('optimize-options-card')).toContainText(flipped);
    await expect(page.getByTestId('calibration-random-count')).toHaveValue('16');
    await expect(optimize.runButton).toBeEnabled();
  });

  test('cancelling a run stores nothing and says so', async ({ page, consoleUrl }, testInfo) => {
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const optimize = new OptimizePage(page);
    await startWithSmallCnn(shell, models, optimize, consoleUrl, testInfo.outputPath('small-cnn.onnx'));
    await optimize.chooseMethod('int8-static');
    await optimize.chooseCalibrator('Entropy (KL)');
    await optimize.useRandomCalibration(10_000);
    await expect(optimize.calibrationRandomWarning).toBeVisible();
    await snapThemes(page, testInfo, 'optimize-random-warning');

    await optimize.runButton.click();
    await expect(optimize.progress).toBeVisible();
    await optimize.cancelButton.click();
    await expect(optimize.cancelledNotice).toBeVisible({ timeout: 30_000 });
    await expect(optimize.cancelledNotice).toContainText('no variant was stored');
    await expect(optimize.result).toHaveCount(0);
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
    await snapThemes(page, testInfo, 'optimize-cancelled');

    await shell.goTo('models');
    await expect(models.rows).toHaveCount(1);
  });

  test('"Optimize…" on a model opens it here; data of the wrong shape is refused clearly', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const optimize = new OptimizePage(page);
    const detail = new ModelDetailPage(page);
    await shell.open(consoleUrl);
    await models.ready();
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')), 'my-cnn');
    await models.row('my-cnn').click();
    await expect(detail.title).toHaveText('my-cnn');
    await page.getByTestId('optimize-model').click();
    await optimize.ready();
    await expect(optimize.modelSelect).toHaveValue('my-cnn');
    await expect(shell.navLink('optimize')).toHaveAttribute('aria-current', 'page');

    const wrong = await writeNpySampleFolder(testInfo.outputPath('wrong'), 3, [1, 3, 16, 16]);
    await optimize.chooseMethod('int8-static');
    await optimize.chooseCalibrationFolder(wrong);
    await optimize.runButton.click();
    await expect(optimize.errorAlert).toHaveAttribute('data-error-code', 'DATA_SHAPE_MISMATCH');
    await expect(optimize.errorAlert).toContainText('input');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'optimize-shape-error');
    await shell.goTo('models');
    await expect(models.rows).toHaveCount(1);
  });
});
