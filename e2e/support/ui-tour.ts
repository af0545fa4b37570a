import { expect, type Page, type TestInfo } from '@playwright/test';
import { callApi, runJobApi } from '../fixtures/console-api';
import { addDeployDevices, type DeployDevice } from '../fixtures/deploy-devices';
import { writeSmallCnnFile } from '../fixtures/models';
import { ocrModelPath } from '../../test/models/ocr-models';
import { AppShell } from '../pages/app-shell';
import { BenchPage } from '../pages/bench-page';
import { DeployPage } from '../pages/deploy-page';
import { FleetPage } from '../pages/fleet-page';
import { HistoryPage } from '../pages/history-page';
import { ModelDetailPage } from '../pages/model-detail-page';
import { ModelsPage } from '../pages/models-page';
import { OptimizePage } from '../pages/optimize-page';

/**
 * A tour of every page and the states a daily user sees, for the page-wide checks (overflow, axe): each stop
 * brings the page into its state and waits until it is drawn. `emptyStops` run on a fresh console; `buildStage`
 * then fills it (a real PaddleOCR model, the small CNN and an FP16 variant made through the UI, a benchmark,
 * a trusted sshd device with a deploy) for `fullStops`.
 */
export type TourStop = { name: string; visit: (page: Page) => Promise<void> };

const go = async (page: Page, section: Parameters<AppShell['goTo']>[0]) => {
  await new AppShell(page).goTo(section);
  await page.evaluate('window.scrollTo(0, 0)');
};

export const emptyStops: TourStop[] = [
  { name: 'models-empty', visit: async (p) => (await go(p, 'models'), new ModelsPage(p).ready()) },
  {
    name: 'optimize-empty',
    visit: async (p) => (await go(p, 'optimize'), expect(p.getByTestId('optimize-no-models')).toBeVisible()),
  },
  {
    name: 'benchmark-empty',
    visit: async (p) => (await go(p, 'benchmark'), expect(p.getByTestId('bench-no-models')).toBeVisible()),
  },
  { name: 'fleet-empty', visit: async (p) => (await go(p, 'fleet'), new FleetPage(p).ready()) },
  { name: 'deploy-empty', visit: async (p) => (await go(p, 'deploy'), new DeployPage(p).ready()) },
  { name: 'history-empty', visit: async (p) => (await go(p, 'history'), new HistoryPage(p).ready()) },
];

export const ocrModel = 'ch_PP-OCRv4_rec_infer';
const cnn = 'small-cnn';

export type Stage = { cnnId: string; fp16Id: string; ocrId: string; device: string };

/** Fills the console: models through the UI, the FP16 run through the Optimize page, the rest over the API. */
export async function buildStage(
  page: Page,
  testInfo: TestInfo,
  devices: readonly DeployDevice[],
): Promise<Stage> {
  const models = new ModelsPage(page);
  const optimize = new OptimizePage(page);
  await go(page, 'models');
  await models.ready();
  await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
  await expect(models.row(cnn)).toBeVisible();
  await models.importFile(ocrModelPath(`${ocrModel}.onnx`));
  await expect(models.row(ocrModel)).toBeVisible({ timeout: 30_000 });
  const list = await callApi(page, 'models.list', {});
  const cnnId = list.find((m) => m.name === cnn)?.id ?? '';
  const ocrId = list.find((m) => m.name === ocrModel)?.id ?? '';

  await go(page, 'optimize');
  await optimize.ready();
  await optimize.modelSelect.click();
  await page.getByRole('option', { name: cnn, exact: true }).click();
  await optimize.chooseMethod('fp16');
  await optimize.runButton.click();
  const fp16Id = await optimize.waitForResult();

  await runJobApi(page, 'bench.run', { models: [cnnId, fp16Id], profiles: ['rpi5'], iterations: 5 }, 120_000);
  await addDeployDevices(page, devices, { tag: 'tour', model: cnn, healthSeconds: 0 });
  await runJobApi(page, 'deploy.run', { model: fp16Id, targets: [devices[0]?.name ?? ''] }, 120_000);
  return { cnnId, fp16Id, ocrId, device: devices[0]?.name ?? '' };
}

export function fullStops(stage: Stage): TourStop[] {
  return [
    {
      name: 'models',
      visit: async (p) => {
        await go(p, 'models');
        await expect(new ModelsPage(p).rows).toHaveCount(3);
      },
    },
    {
      name: 'model-detail',
      visit: async (p) => {
        await go(p, 'models');
        await new ModelsPage(p).row(ocrModel).getByTestId('model-name').click();
        await expect(new ModelDetailPage(p).title).toHaveText(ocrModel);
        await expect(new ModelDetailPage(p).opRows.first()).toBeVisible();
      },
    },
    {
      name: 'variant-detail',
      visit: async (p) => {
        await go(p, 'models');
        await new ModelsPage(p).row(`${cnn}-fp16`).getByTestId('model-name').click();
        await expect(new ModelDetailPage(p).title).toHaveText(`${cnn}-fp16`);
      },
    },
    {
      name: 'optimize-summary',
      visit: async (p) => {
        await go(p, 'optimize');
        await expect(new OptimizePage(p).result).toBeVisible();
      },
    },
    {
      name: 'benchmark',
      visit: async (p) => {
        await go(p, 'benchmark');
        const bench = new BenchPage(p);
        await bench.ready();
        for (const id of [stage.cnnId, stage.fp16Id]) {
          if (!(await bench.variantCheck(id).isChecked())) await bench.variantCheck(id).check();
        }
        await expect(bench.charts.first()).toBeVisible({ timeout: 20_000 });
      },
    },
    {
      name: 'benchmark-profiles',
      visit: async (p) => {
        await go(p, 'benchmark');
        await new BenchPage(p).openProfiles();
      },
    },
    {
      name: 'fleet',
      visit: async (p) => {
        await go(p, 'fleet');
        const fleet = new FleetPage(p);
        await fleet.ready();
        await expect(fleet.rows).toHaveCount(2);
      },
    },
    {
      name: 'fleet-device',
      visit: async (p) => {
        await go(p, 'fleet');
        const fleet = new FleetPage(p);
        await fleet.row(stage.device).getByTestId('device-name').click();
        await expect(fleet.detail.root).toBeVisible();
      },
    },
    {
      name: 'deploy',
      visit: async (p) => {
        await go(p, 'deploy');
        const deploy = new DeployPage(p);
        await deploy.ready();
        // The page keeps its picks between visits: pick only what is not picked yet.
        if (!(await deploy.variantFacts.isVisible())) await deploy.chooseVariant(`${cnn}-fp16`);
        if ((await deploy.targetRow(stage.device).getAttribute('data-picked')) !== 'true') {
          await deploy.chooseTag('tour');
        }
        await expect(deploy.preflight).toBeVisible();
      },
    },
    {
      name: 'history',
      visit: async (p) => {
        await go(p, 'history');
        const history = new HistoryPage(p);
        await history.ready();
        await expect(history.deploymentRows).toHaveCount(1);
      },
    },
  ];
}

/** Closes what a stop left open (a drawer, a dialog), so the next stop starts from the page. */
export async function leave(page: Page): Promise<void> {
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++) {
    await page.keyboard.press('Escape');
  }
  await expect(page.getByRole('dialog')).toHaveCount(0);
}
