import { withSmallCnn } from './support/small-cnn';
import { expect, test } from './fixtures/web-console';
import { snap } from './support/screenshot';

test('pruning from the page: channels with sensitivity, latency-aware allocation and fine-tuning; then weights with compressed sizes', async ({
  page,
  consoleUrl,
}, testInfo) => {
  test.setTimeout(240_000);
  const { shell, optimize } = await withSmallCnn(page, consoleUrl, testInfo);
  await shell.goTo('optimize');
  await optimize.ready();

  await optimize.chooseMethod('prune-channels');
  await page.getByTestId('option-prune-amount').fill('50');
  await page.getByTestId('option-sensitivity').check();
  await page.getByTestId('option-latency-aware').check();
  // Data is optional for pruning alone; fine-tuning makes it training data, required.
  await page.getByTestId('calibration-kind').getByText('None', { exact: true }).click();
  await expect(optimize.runButton).toBeEnabled();
  await page.getByTestId('option-fine-tune').check();
  await page.getByTestId('option-fine-tune-epochs').fill('2');
  await expect(optimize.blocker).toContainText('Fine-tuning needs training data');
  await optimize.useRandomCalibration(24);
  await expect(optimize.runButton).toBeEnabled();
  await optimize.runButton.click();
  const channelsId = await optimize.waitForResult();

  const card = page.getByTestId('pruning-card');
  await expect(card).toContainText('Channel pruning');
  await expect(page.getByTestId('pruning-summary')).toContainText('MACs');
  await expect(page.getByTestId('pruning-layer-row').first()).toBeVisible();
  await expect(page.getByTestId('sensitivity-chart')).toContainText('dB');
  await expect(page.getByTestId('latency-allocation')).toContainText(/channel counts timed on this machine/);
  await expect(page.getByTestId('training-report')).toBeVisible();
  await expect(page.getByTestId('training-epochs')).toHaveText('2');
  await snap(page, testInfo, 'prune-channels-report');

  // Latency-aware needs a share of channels: with a MAC target the box is off and disabled.
  await page.getByTestId('option-prune-mode').getByText('MAC target', { exact: true }).click();
  await expect(page.getByTestId('option-latency-aware')).toBeDisabled();
  await expect(page.getByTestId('option-latency-aware')).not.toBeChecked();

  await optimize.chooseMethod('prune-weights');
  await optimize.runButton.click();
  await optimize.waitForResult(channelsId);
  await expect(page.getByTestId('pruning-card')).toContainText('Weight pruning');
  await expect(page.getByTestId('pruning-summary')).toContainText(/zstd|gzip/);
  await expect(page.getByText(/no faster/).first()).toBeVisible();
});
