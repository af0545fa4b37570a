import { expect, test } from './fixtures/web-console';
import { writeSmallCnnFile, writeTextFile } from './fixtures/models';
import { AppShell, sectionPaths } from './pages/app-shell';
import { ModelDetailPage } from './pages/model-detail-page';
import { ModelsPage } from './pages/models-page';
import { accessibilityProblems } from './support/a11y';
import { snapThemes } from './support/screenshot';

// Each flow runs once; its screenshots are taken in both themes (the UI review material).
test.describe('Models', () => {
  test('imports a model through the UI, lists it, and shows its detail', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const detail = new ModelDetailPage(page);
    await shell.open(consoleUrl);
    await models.ready();
    await expect(models.empty).toBeVisible();
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
    await snapThemes(page, testInfo, 'models-empty');

    const cnn = await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx'));
    await models.importFile(cnn);
    await expect(models.notice).toContainText('Imported “small-cnn”');
    await expect(models.notice).toHaveAttribute('data-existed', 'false');
    await expect(models.rows).toHaveCount(1);
    const row = models.row('small-cnn');
    await expect(row).toHaveAttribute('aria-selected', 'true');
    await expect(row).toContainText('13'); // default-domain opset
    await expect(row).toContainText('1.6 k'); // 1594 parameters
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'models-list');

    // Keyboard: the new row has focus; Enter opens the detail.
    await expect(row).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(detail.title).toHaveText('small-cnn');
    await expect(detail.tensorRow(detail.inputs, 'input')).toContainText('1×3×32×32');
    await expect(detail.tensorRow(detail.inputs, 'input')).toContainText('float32');
    await expect(detail.tensorRow(detail.outputs, 'logits')).toContainText('1×10');
    for (const op of ['Conv', 'Relu', 'Gemm']) {
      await expect(detail.opRows.filter({ hasText: op }).first()).toBeVisible();
    }
    await expect(detail.opRows.filter({ hasText: 'Conv' })).toContainText('2');
    await expect(detail.weights).toContainText('float32');
    await expect(detail.params).toContainText('1.6 k'); // 1594 parameters, human readable
    await expect(detail.macs).toContainText('516 k'); // 516256 MACs
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'model-detail');

    // The same bytes again: the library already has them, and selects that model.
    await detail.backToModels.click();
    await models.importFile(cnn);
    await expect(models.notice).toContainText('already in the library');
    await expect(models.notice).toHaveAttribute('data-existed', 'true');
    await expect(models.rows).toHaveCount(1);
    await expect(models.row('small-cnn')).toHaveAttribute('aria-selected', 'true');
  });

  test('a file that is not a model shows MODEL_INVALID and leaves the list unchanged', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    await shell.open(consoleUrl);
    await models.ready();
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')), 'baseline');
    await expect(models.row('baseline')).toBeVisible();
    await expect(models.nameInput).toHaveValue(''); // a name is used once
    const before = await models.rows.count();

    await models.importFile(await writeTextFile(testInfo.outputPath('notes.txt')));
    await expect(models.errorAlert).toBeVisible();
    await expect(models.errorAlert).toHaveAttribute('data-error-code', 'MODEL_INVALID');
    await expect(models.errorAlert).toContainText('MODEL_INVALID');
    await expect(models.errorAlert).toContainText('notes.txt');
    await expect(models.rows).toHaveCount(before);
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
    await snapThemes(page, testInfo, 'models-import-error');
  });

  test('deleting asks first; Escape cancels, confirming removes the model', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const detail = new ModelDetailPage(page);
    await shell.open(consoleUrl);
    await models.ready();
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
    await models.row('small-cnn').click();
    await expect(detail.title).toHaveText('small-cnn');

    await detail.deleteButton.click();
    await expect(detail.deleteDialog).toBeVisible();
    await snapThemes(page, testInfo, 'model-delete-dialog');
    await page.keyboard.press('Escape');
    await expect(detail.deleteDialog).toBeHidden();
    await expect(detail.title).toHaveText('small-cnn');

    await detail.deleteButton.click();
    await detail.confirmDelete.click();
    await expect(page.getByTestId('removed-notice')).toContainText('Deleted “small-cnn”');
    await expect(models.empty).toBeVisible();
  });

  test('every section is in the navbar and every page is built', async ({ page, consoleUrl }, testInfo) => {
    const shell = new AppShell(page);
    await shell.open(consoleUrl);
    for (const section of sectionPaths) {
      await shell.goTo(section);
      await expect(shell.navLink(section)).not.toContainText('soon');
      await expect(page.getByTestId('not-built')).toHaveCount(0);
    }
    // The loop's last pages on an empty library: they say what to do first.
    for (const section of ['deploy', 'history'] as const) {
      await shell.goTo(section);
      await expect(page.getByTestId(`${section}-page`)).toBeVisible();
      expect(await accessibilityProblems(page)).toEqual([]);
      await snapThemes(page, testInfo, `${section}-empty`);
    }
    await shell.goTo('models');
    await expect(page.getByTestId('import-panel')).toBeVisible();
  });
});
