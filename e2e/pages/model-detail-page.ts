import type { Locator, Page } from '@playwright/test';

/** One model: facts, inputs/outputs, op histogram, weights, delete. */
export class ModelDetailPage {
  readonly root: Locator;
  readonly title: Locator;
  readonly inputs: Locator;
  readonly outputs: Locator;
  readonly opHistogram: Locator;
  readonly opRows: Locator;
  readonly weights: Locator;
  readonly params: Locator;
  readonly macs: Locator;
  readonly deleteButton: Locator;
  readonly deleteDialog: Locator;
  readonly confirmDelete: Locator;
  readonly backToModels: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('model-detail');
    this.title = page.getByTestId('model-title');
    this.inputs = page.getByTestId('model-inputs');
    this.outputs = page.getByTestId('model-outputs');
    this.opHistogram = page.getByTestId('op-histogram');
    this.opRows = this.opHistogram.getByTestId('op-row');
    this.weights = page.getByTestId('weights-by-dtype');
    this.params = page.getByTestId('model-params');
    this.macs = page.getByTestId('model-macs');
    this.deleteButton = page.getByTestId('delete-model');
    this.deleteDialog = page.getByRole('dialog');
    this.confirmDelete = page.getByTestId('confirm-delete');
    this.backToModels = page.getByTestId('back-to-models');
  }

  /** The row of the inputs (or outputs) table for one tensor. */
  tensorRow(table: Locator, name: string): Locator {
    return table
      .getByTestId('tensor-row')
      .filter({ has: this.page.getByTestId('tensor-name').getByText(name) });
  }
}
