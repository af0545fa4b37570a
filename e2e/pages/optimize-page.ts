import { expect, type Locator, type Page } from '@playwright/test';

export type Method =
  'auto' | 'int8-static' | 'int8-dynamic' | 'fp16' | 'distill' | 'qat' | 'prune-channels' | 'prune-weights';
const methodLabel: Record<Method, string> = {
  'prune-channels': 'Prune channels',
  'prune-weights': 'Prune weights',
  auto: 'Auto (recommended)',
  'int8-static': 'INT8 static',
  'int8-dynamic': 'INT8 dynamic',
  fp16: 'FP16',
  distill: 'Distill',
  qat: 'QAT (INT8 fine-tune)',
};
/** What the run button says once the method is chosen. */
const runText: Record<Method, string> = {
  'prune-channels': 'Prune channels',
  'prune-weights': 'Prune weights',
  auto: 'Run auto search',
  'int8-static': 'INT8 static',
  'int8-dynamic': 'INT8 dynamic',
  fp16: 'FP16',
  distill: 'Run distillation',
  qat: 'Run QAT',
};

/** The Optimize page: model, method, options, data, run with progress, result with its report. */
export class OptimizePage {
  readonly root: Locator;
  readonly modelSelect: Locator;
  readonly runButton: Locator;
  readonly blocker: Locator;
  readonly nameInput: Locator;
  readonly progress: Locator;
  readonly progressArea: Locator;
  readonly phase: Locator;
  readonly cancelButton: Locator;
  readonly result: Locator;
  readonly variantLink: Locator;
  readonly cancelledNotice: Locator;
  readonly errorAlert: Locator;
  readonly cards: Locator;
  readonly layerRows: Locator;
  readonly excludeRerun: Locator;
  readonly excludePreview: Locator;
  readonly warnings: Locator;
  readonly calibrationFolderInput: Locator;
  readonly calibrationSource: Locator;
  readonly calibrationRandomWarning: Locator;
  readonly convertedOps: Locator;
  readonly goalInput: Locator;
  readonly budgetInput: Locator;
  readonly autoVerdict: Locator;
  readonly autoCandidates: Locator;
  readonly autoNodes: Locator;
  readonly autoChartPoints: Locator;
  readonly autoRerun: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('optimize-page');
    this.modelSelect = page.getByTestId('optimize-model');
    this.runButton = page.getByTestId('optimize-run');
    this.blocker = page.getByTestId('optimize-blocker');
    this.nameInput = page.getByTestId('optimize-name');
    this.progress = page.getByTestId('optimize-progress');
    this.progressArea = page.getByTestId('optimize-progress-area');
    this.phase = page.getByTestId('optimize-phase');
    this.cancelButton = page.getByTestId('optimize-cancel');
    this.result = page.getByTestId('optimize-result');
    this.variantLink = page.getByTestId('variant-link');
    this.cancelledNotice = page.getByTestId('optimize-cancelled');
    this.errorAlert = page.getByTestId('optimize-error');
    this.cards = page.getByTestId('fidelity-cards');
    this.layerRows = page.getByTestId('layer-row');
    this.excludeRerun = page.getByTestId('exclude-rerun');
    this.excludePreview = page.getByTestId('exclude-preview');
    this.warnings = page.getByTestId('report-warnings');
    this.calibrationFolderInput = page.getByTestId('calibration-folder-input');
    this.calibrationSource = page.getByTestId('calibration-source');
    this.calibrationRandomWarning = page.getByTestId('calibration-random-warning');
    this.convertedOps = page.getByTestId('converted-ops');
    this.goalInput = page.getByTestId('option-goal');
    this.budgetInput = page.getByTestId('option-budget');
    this.autoVerdict = page.getByTestId('auto-verdict');
    this.autoCandidates = page.getByTestId('auto-candidate');
    this.autoNodes = page.getByTestId('auto-node');
    this.autoChartPoints = page.getByTestId('auto-chart-point');
    this.autoRerun = page.getByTestId('auto-rerun');
  }

  async ready(): Promise<void> {
    await expect(this.root).toBeVisible();
    await expect(this.runButton).toBeVisible();
  }

  async chooseMethod(method: Method): Promise<void> {
    await this.page.getByTestId('optimize-method').getByText(methodLabel[method], { exact: true }).click();
    await expect(this.runButton).toContainText(runText[method]);
  }

  async chooseCalibrator(label: 'MinMax' | 'Percentile' | 'Entropy (KL)'): Promise<void> {
    await this.page.getByTestId('option-calibrator').getByText(label, { exact: true }).click();
  }

  /** Chooses a folder of samples through the page's own `<input webkitdirectory>`, as the browser would. */
  async chooseCalibrationFolder(dir: string): Promise<void> {
    await this.page.getByTestId('calibration-kind').getByText('Folder / file', { exact: true }).click();
    await this.calibrationFolderInput.setInputFiles(dir);
  }

  async useRandomCalibration(count: number): Promise<void> {
    await this.page.getByTestId('calibration-kind').getByText('Random', { exact: true }).click();
    await this.page.getByTestId('calibration-random-count').fill(String(count));
  }

  /** The value shown on a result card ("0.50×", "31.2 dB"). */
  card(name: 'size' | 'latency' | 'sqnr' | 'cosine' | 'top1' | 'accuracy'): Locator {
    return this.page.getByTestId(`card-${name}`);
  }

  async cardNumber(name: 'size' | 'latency' | 'sqnr' | 'cosine' | 'top1'): Promise<number> {
    const text = await this.card(name).getByTestId('metric-value').innerText();
    return Number.parseFloat(text);
  }

  /** Waits for a finished run whose variant differs from `previousId` (a re-run replaces the result). */
  async waitForResult(previousId?: string, timeout = 120_000): Promise<string> {
    await expect(async () => {
      const id = await this.result.getAttribute('data-variant-id', { timeout: 1_000 });
      expect(id).toBeTruthy();
      if (previousId !== undefined) expect(id).not.toBe(previousId);
    }).toPass({ timeout });
    return (await this.result.getAttribute('data-variant-id')) ?? '';
  }

  /** Ticks the first `n` rows (worst first) that can be excluded. */
  async pickWorstLayers(n: number): Promise<string[]> {
    const picked: string[] = [];
    const count = await this.layerRows.count();
    for (let i = 0; i < count && picked.length < n; i++) {
      const row = this.layerRows.nth(i);
      const box = row.getByTestId('layer-pick');
      if (await box.isDisabled()) continue;
      await box.check();
      picked.push((await row.getAttribute('data-tensor')) ?? '');
    }
    return picked;
  }
}
