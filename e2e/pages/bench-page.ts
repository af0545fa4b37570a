import { expect, type Locator, type Page } from '@playwright/test';

/** The Benchmark page: variants, targets, settings, run with progress; results table, charts, recommendation. */
export class BenchPage {
  readonly root: Locator;
  readonly runButton: Locator;
  readonly blocker: Locator;
  readonly progressArea: Locator;
  readonly cancelButton: Locator;
  readonly results: Locator;
  readonly table: Locator;
  readonly resultRows: Locator;
  readonly charts: Locator;
  readonly recommended: Locator;
  readonly noRecommendation: Locator;
  readonly deployButton: Locator;
  readonly threshold: Locator;
  readonly profileRows: Locator;
  readonly importInput: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('bench-page');
    this.runButton = page.getByTestId('bench-run');
    this.blocker = page.getByTestId('bench-blocker');
    this.progressArea = page.getByTestId('bench-progress-area');
    this.cancelButton = page.getByTestId('bench-cancel');
    this.results = page.getByTestId('bench-results');
    this.table = page.getByTestId('bench-results-table');
    this.resultRows = page.getByTestId('bench-result-row');
    this.charts = page.getByTestId('pareto-chart');
    this.recommended = page.getByTestId('bench-recommended');
    this.noRecommendation = page.getByTestId('bench-no-recommendation');
    this.deployButton = page.getByTestId('bench-deploy');
    this.threshold = page.getByTestId('bench-threshold');
    this.profileRows = page.getByTestId('profile-row');
    this.importInput = page.getByTestId('profile-import-input');
  }

  async ready(): Promise<void> {
    await expect(this.root).toBeVisible();
    await expect(this.runButton).toBeVisible();
  }

  variantCheck(modelId: string): Locator {
    return this.page
      .locator(`[data-testid="bench-variant"][data-model-id="${modelId}"]`)
      .getByRole('checkbox');
  }

  profileCheck(profileId: string): Locator {
    return this.page.getByTestId(`bench-profile-${profileId}`);
  }

  localCheck(): Locator {
    return this.page.getByTestId('bench-target-local');
  }

  /** Fixed number of timed runs per benchmark (small in tests). */
  async useIterations(count: number): Promise<void> {
    await this.page.getByTestId('bench-stop-kind').getByText('Fixed runs', { exact: true }).click();
    await this.page.getByTestId('bench-iterations').fill(String(count));
  }

  row(modelId: string, target: string): Locator {
    return this.page.locator(
      `[data-testid="bench-result-row"][data-model-id="${modelId}"][data-target="${target}"]`,
    );
  }

  chart(target: string): Locator {
    return this.page.locator(`[data-testid="pareto-chart"][data-target="${target}"]`);
  }

  async chooseMetric(label: 'Cosine' | 'SQNR' | 'Top-1'): Promise<void> {
    await this.page.getByTestId('bench-metric').getByText(label, { exact: true }).click();
  }

  async chooseRecommendationTarget(label: string): Promise<void> {
    await this.page.getByTestId('bench-reco-target').click();
    await this.page.getByRole('option', { name: label }).click();
  }

  async openProfiles(): Promise<void> {
    await this.page.getByTestId('bench-tab-profiles').click();
    await expect(this.page.getByTestId('profiles-table')).toBeVisible();
  }

  profileRow(id: string): Locator {
    return this.page.locator(`[data-testid="profile-row"][data-profile-id="${id}"]`);
  }
}
