import { expect, type Locator, type Page } from '@playwright/test';

/** The model library: import panel, notices, and the table. */
export class ModelsPage {
  readonly importInput: Locator;
  readonly importButton: Locator;
  readonly nameInput: Locator;
  readonly progress: Locator;
  readonly notice: Locator;
  readonly errorAlert: Locator;
  readonly rows: Locator;
  readonly table: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.importInput = page.getByTestId('import-input');
    this.importButton = page.getByTestId('import-button');
    this.nameInput = page.getByTestId('import-name');
    this.progress = page.getByTestId('import-progress');
    this.notice = page.getByTestId('import-notice');
    this.errorAlert = page.getByTestId('import-panel').getByTestId('error-alert');
    this.rows = page.getByTestId('model-row');
    this.table = page.getByTestId('models-table');
    this.empty = page.getByTestId('models-empty');
  }

  /** Waits until the library has loaded (table or the empty state). */
  async ready(): Promise<void> {
    await expect(this.table.or(this.empty)).toBeVisible();
  }

  /** Chooses a file through the page's own file input, as a user's file chooser would. */
  async importFile(path: string, name?: string): Promise<void> {
    if (name !== undefined) await this.nameInput.fill(name);
    await this.importInput.setInputFiles(path);
  }

  row(name: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('model-name').getByText(name, { exact: true }) });
  }
}
