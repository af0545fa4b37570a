import { expect, type Locator, type Page } from '@playwright/test';

/** The Deploy page: variant, options, targets with what each runs, preflight, the Deploy button, the rollout. */
export class DeployPage {
  readonly root: Locator;
  readonly variantSelect: Locator;
  readonly variantFacts: Locator;
  readonly variantFidelity: Locator;
  readonly concurrency: Locator;
  readonly canary: Locator;
  readonly maxFail: Locator;
  readonly targetsTable: Locator;
  readonly targetRows: Locator;
  readonly allDevices: Locator;
  readonly preflight: Locator;
  readonly preflightLine: Locator;
  readonly deployButton: Locator;
  readonly blocker: Locator;
  readonly rollout: Locator;
  readonly rolloutRows: Locator;
  readonly rolloutSummary: Locator;
  readonly cancelButton: Locator;
  readonly historyLink: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('deploy-page');
    this.variantSelect = page.getByTestId('deploy-variant');
    this.variantFacts = page.getByTestId('deploy-variant-facts');
    this.variantFidelity = page.getByTestId('deploy-variant-fidelity');
    this.concurrency = page.getByTestId('deploy-concurrency');
    this.canary = page.getByTestId('deploy-canary');
    this.maxFail = page.getByTestId('deploy-max-fail');
    this.targetsTable = page.getByTestId('deploy-targets');
    this.targetRows = page.getByTestId('deploy-target-row');
    this.allDevices = page.getByTestId('deploy-target-all');
    this.preflight = page.getByTestId('preflight');
    this.preflightLine = page.getByTestId('preflight-line');
    this.deployButton = page.getByTestId('deploy-run');
    this.blocker = page.getByTestId('deploy-blocker');
    this.rollout = page.getByTestId('rollout');
    this.rolloutRows = page.getByTestId('rollout-row');
    this.rolloutSummary = page.getByTestId('rollout-summary');
    this.cancelButton = page.getByTestId('deploy-cancel');
    this.historyLink = page.getByTestId('rollout-history-link');
  }

  async ready(): Promise<void> {
    await expect(this.root).toBeVisible();
    await expect(this.targetsTable.or(this.page.getByTestId('deploy-missing'))).toBeVisible();
  }

  /** Picks a model or variant by its library name (the option also shows size and fidelity). */
  async chooseVariant(name: string): Promise<void> {
    await this.variantSelect.click();
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await this.page.getByRole('option', { name: new RegExp(`(^|\\s|↳ )${escaped} · `) }).click();
    await expect(this.variantFacts).toBeVisible();
  }

  tag(tag: string): Locator {
    return this.page.locator(`[data-testid="deploy-target-tag"][data-tag="${tag}"]`);
  }

  /** Mantine's Chip: the visible label toggles its (visually hidden) checkbox. */
  async chooseTag(tag: string): Promise<void> {
    await this.page.getByText(new RegExp(`^${tag} \\(\\d+\\)$`)).click();
  }

  targetRow(device: string): Locator {
    return this.targetsTable.locator(`[data-testid="deploy-target-row"][data-device="${device}"]`);
  }

  rolloutRow(device: string): Locator {
    return this.page.locator(`[data-testid="rollout-row"][data-device="${device}"]`);
  }
}
