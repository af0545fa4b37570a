import type { Page, TestInfo } from '@playwright/test';
import { expect } from '@playwright/test';
import { writeSmallCnnFile } from '../fixtures/models';
import { AppShell } from '../pages/app-shell';
import { ModelsPage } from '../pages/models-page';
import { OptimizePage } from '../pages/optimize-page';

/** Opens the console and imports the small CNN (built in code) through the Models page; the page objects. */
export async function withSmallCnn(page: Page, consoleUrl: string, testInfo: TestInfo) {
  const shell = new AppShell(page);
  const models = new ModelsPage(page);
  const optimize = new OptimizePage(page);
  await shell.open(consoleUrl);
  await models.ready();
  await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
  await expect(models.row('small-cnn')).toBeVisible();
  return { shell, models, optimize };
}
