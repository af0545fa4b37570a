import { writeSmallCnnFile } from './fixtures/models';
import { writeNpySampleFolder } from './fixtures/npy';
import { expect, test } from './fixtures/web-console';
import { AppShell } from './pages/app-shell';
import { ModelsPage } from './pages/models-page';
import { OptimizePage } from './pages/optimize-page';
import { snap } from './support/screenshot';

test.describe('Optimize: training in the app (distillation)', () => {
  test('a tiny width:0.5 distillation from the page: live curve, report, then a cancelled one keeps its best epoch', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    test.setTimeout(420_000);
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const optimize = new OptimizePage(page);
    await shell.open(consoleUrl);
    await models.ready();
    // The small CNN is built in code (Conv, BatchNormalization, Relu, MaxPool, Gemm): the engine trains it.
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
    await expect(models.row('small-cnn')).toBeVisible();
    await shell.goTo('optimize');
    await optimize.ready();

    await optimize.chooseMethod('distill');
    await expect(page.getByTestId('option-student-width')).toHaveValue('50 %');
    await page.getByTestId('option-epochs').fill('2');
    await page.getByTestId('option-batch-size').fill('4');
    await page.getByTestId('option-learning-rate').fill('0.01');
    await expect(optimize.blocker).toContainText('Choose the training data');
    await optimize.chooseCalibrationFolder(await writeNpySampleFolder(testInfo.outputPath('train'), 20));
    // Too little data: the form warns with the count before anything runs.
    await expect(page.getByTestId('few-samples')).toContainText('Only 20 training samples');
    await expect(optimize.runButton).toBeEnabled();
    await optimize.runButton.click();
    await optimize.waitForResult();

    const report = page.getByTestId('training-report');
    await expect(report).toBeVisible();
    await expect(page.getByTestId('training-student')).toHaveText('a narrower copy (50 % of the channels)');
    await expect(page.getByTestId('training-epochs')).toHaveText('2');
    await expect(page.getByTestId('training-recipe-batchSize')).toHaveText('4');
    await expect(page.getByTestId('training-data-hash')).toHaveAttribute('title', /^[0-9a-f]{64}$/);
    await expect(page.getByTestId('training-throughput')).toContainText('samples/s');
    await expect(page.getByTestId('training-final-fidelity')).toContainText('cosine');
    const curves = page.getByTestId('training-report-curves');
    await expect(curves).toHaveAttribute('data-epochs', '2');
    await expect(curves.locator('svg.recharts-surface')).toBeVisible();
    await expect(curves.locator('.recharts-line')).toHaveCount(2);
    await snap(page, testInfo, 'train-distill-report');

    // Many epochs (the most the form takes: 200 of these tiny ones once finished before the cancel on a quiet
    // machine): the live panel shows epoch x of N and the curve growing; Cancel keeps the best epoch.
    const firstId = await optimize.result.getAttribute('data-variant-id');
    await page.getByTestId('option-epochs').fill('1000');
    await optimize.runButton.click();
    const live = page.getByTestId('training-live-curves');
    await expect(page.getByTestId('training-epoch')).toContainText('of 1000', { timeout: 60_000 });
    await expect(page.getByTestId('training-eta')).toContainText('ETA');
    // The figure's caption names the last completed epoch: the curve has points once it does.
    await expect(page.getByTestId('training-live-curves-loss')).toContainText(/\(epoch \d+\)/, {
      timeout: 60_000,
    });
    await expect(live.locator('.recharts-line')).toHaveCount(2);
    await snap(page, testInfo, 'train-distill-live');
    await optimize.cancelButton.click();
    await optimize.waitForResult(firstId ?? undefined);
    await expect(page.getByTestId('training-cancelled')).toContainText(/Cancelled at epoch \d+ of 1000/);
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
  });
});
