import { withSmallCnn } from './support/small-cnn';
import { runJobApi, callApi } from './fixtures/console-api';
import { writeNpySampleFolder } from './fixtures/npy';
import { expect, test } from './fixtures/web-console';

test('an optimize error goes away once the data source or the model changes', async ({
  page,
  consoleUrl,
}, testInfo) => {
  test.setTimeout(150_000);
  const { shell, optimize } = await withSmallCnn(page, consoleUrl, testInfo);
  const [original] = await callApi(page, 'models.list', {});
  if (!original) throw new Error('the import left no model');
  const fp16 = (await runJobApi(page, 'optimize.run', { model: original.id, options: { method: 'fp16' } }))
    .model;
  await page.reload();
  await shell.goTo('optimize');
  await optimize.ready();

  // Data of the wrong shape: refused, with the reason.
  const wrong = await writeNpySampleFolder(testInfo.outputPath('wrong'), 3, [1, 3, 16, 16]);
  await optimize.modelSelect.click();
  await page.getByRole('option', { name: 'small-cnn', exact: true }).click();
  await optimize.chooseMethod('int8-static');
  await optimize.chooseCalibrationFolder(wrong);
  await optimize.runButton.click();
  await expect(optimize.errorAlert).toHaveAttribute('data-error-code', 'DATA_SHAPE_MISMATCH');

  // Another data source: the old error no longer applies.
  await optimize.useRandomCalibration(8);
  await expect(optimize.errorAlert).toHaveCount(0);

  // Again with the wrong data, then another model: gone too.
  await optimize.chooseCalibrationFolder(wrong);
  await optimize.runButton.click();
  await expect(optimize.errorAlert).toHaveAttribute('data-error-code', 'DATA_SHAPE_MISMATCH');
  await optimize.modelSelect.click();
  await page.getByRole('option', { name: new RegExp(`${fp16.name} · fp16`) }).click();
  await expect(optimize.modelSelect).toHaveValue(new RegExp(fp16.name));
  await expect(optimize.errorAlert).toHaveCount(0);
});
