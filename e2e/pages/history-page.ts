import { expect, type Locator, type Page } from '@playwright/test';

/** The History page: what runs where (with Roll back), drift check, deployments and one deployment's report. */
export class HistoryPage {
  readonly root: Locator;
  readonly releasesTable: Locator;
  readonly deploymentRows: Locator;
  readonly report: Locator;
  readonly reportDevices: Locator;
  readonly driftButton: Locator;
  readonly driftPanel: Locator;
  readonly driftRows: Locator;
  readonly driftSummary: Locator;
  readonly rollbackDialog: Locator;
  readonly rollbackConfirm: Locator;
  readonly rollbackResult: Locator;
  readonly rollbackHeadline: Locator;
  readonly deviceHistory: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('history-page');
    this.releasesTable = page.getByTestId('releases-table');
    this.deploymentRows = page.getByTestId('deployment-row');
    this.report = page.getByTestId('deployment-report');
    this.reportDevices = this.report.getByTestId('report-device');
    this.driftButton = page.getByTestId('drift-check');
    this.driftPanel = page.getByTestId('drift-panel');
    this.driftRows = page.getByTestId('drift-row');
    this.driftSummary = page.getByTestId('drift-summary');
    this.rollbackDialog = page.getByRole('dialog', { name: /^Roll back / });
    this.rollbackConfirm = page.getByTestId('rollback-confirm');
    this.rollbackResult = page.getByTestId('rollback-result');
    this.rollbackHeadline = page.getByTestId('rollback-headline');
    this.deviceHistory = page.getByTestId('device-history');
  }

  async ready(): Promise<void> {
    await expect(this.root).toBeVisible();
    await expect(this.releasesTable.or(this.page.getByTestId('releases-empty'))).toBeVisible();
  }

  releaseRow(device: string): Locator {
    return this.releasesTable.locator(`[data-testid="release-row"][data-device="${device}"]`);
  }

  reportDevice(device: string): Locator {
    return this.report.locator(`[data-testid="report-device"][data-device="${device}"]`);
  }

  driftRow(device: string): Locator {
    return this.page.locator(`[data-testid="drift-row"][data-device="${device}"]`);
  }
}
