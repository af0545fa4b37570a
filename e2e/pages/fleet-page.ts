import { expect, type Locator, type Page } from '@playwright/test';

export type DeviceFields = {
  name: string;
  host: string;
  port?: number;
  user?: string;
  auth?: 'key' | 'agent' | 'password';
  keyPath?: string;
  tags?: string[];
  profile?: string;
};

const authLabel = { key: 'Key file', agent: 'ssh-agent', password: 'Password' } as const;

/** The Fleet page: toolbar, filters, bulk bar, the virtualized device table, and its dialogs and drawer. */
export class FleetPage {
  readonly root: Locator;
  readonly count: Locator;
  readonly empty: Locator;
  readonly addButton: Locator;
  readonly importButton: Locator;
  readonly exportButton: Locator;
  readonly search: Locator;
  readonly tagFilter: Locator;
  readonly statusFilter: Locator;
  readonly profileFilter: Locator;
  readonly scroll: Locator;
  readonly rows: Locator;
  readonly selectAll: Locator;
  readonly bulkCount: Locator;
  readonly notice: Locator;
  readonly opPanel: Locator;
  readonly opSummary: Locator;
  readonly form: DeviceFormDialog;
  readonly trust: TrustDialog;
  readonly detail: DeviceDetail;
  readonly importDialog: ImportDialog;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('fleet-page');
    this.count = page.getByTestId('fleet-count');
    this.empty = page.getByTestId('fleet-empty');
    this.addButton = page.getByTestId('fleet-add');
    this.importButton = page.getByTestId('fleet-import');
    this.exportButton = page.getByTestId('fleet-export');
    this.search = page.getByTestId('fleet-search');
    this.tagFilter = page.getByTestId('fleet-filter-tag');
    this.statusFilter = page.getByTestId('fleet-filter-status');
    this.profileFilter = page.getByTestId('fleet-filter-profile');
    this.scroll = page.getByTestId('devices-scroll');
    this.rows = page.getByTestId('device-row');
    this.selectAll = page.getByTestId('select-all');
    this.bulkCount = page.getByTestId('bulk-count');
    this.notice = page.getByTestId('fleet-notice');
    this.opPanel = page.getByTestId('op-panel');
    this.opSummary = page.getByTestId('op-summary');
    this.form = new DeviceFormDialog(page);
    this.trust = new TrustDialog(page);
    this.detail = new DeviceDetail(page);
    this.importDialog = new ImportDialog(page);
  }

  /** Waits until the inventory has loaded (the table or the empty state). */
  async ready(): Promise<void> {
    await expect(this.scroll.or(this.empty)).toBeVisible();
  }

  row(name: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('device-name').getByText(name, { exact: true }) });
  }

  bulk(action: 'probe' | 'status' | 'trust' | 'tag-add' | 'tag-remove' | 'clear'): Locator {
    return this.page.getByTestId(`bulk-${action}`);
  }

  /** Picks an option of one of the filter selects (Mantine Select: type to search, click the option). */
  async chooseFilter(select: Locator, option: string): Promise<void> {
    await select.click();
    await this.page.getByRole('option', { name: option, exact: true }).click();
  }

  /** Opens the add dialog and fills it in; does not submit. */
  async fillNewDevice(fields: DeviceFields): Promise<void> {
    await this.addButton.click();
    await expect(this.form.root).toBeVisible();
    await this.form.fill(fields);
  }
}

export class DeviceFormDialog {
  readonly root: Locator;
  readonly submit: Locator;
  readonly refusal: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('dialog', { name: /Add a device|Edit / });
    this.submit = page.getByTestId('device-form-submit');
    this.refusal = page.getByTestId('device-form-error');
  }

  field(name: string): Locator {
    return this.root.getByTestId(`field-${name}`);
  }

  /** The error text Mantine shows under a field (linked to it by aria-describedby). */
  fieldError(name: string): Locator {
    return this.root.locator(`[id="device-field-${name}-error"]`);
  }

  async fill(fields: DeviceFields): Promise<void> {
    await this.field('name').fill(fields.name);
    await this.field('host').fill(fields.host);
    if (fields.port !== undefined) await this.field('port').fill(String(fields.port));
    if (fields.user !== undefined) await this.field('user').fill(fields.user);
    if (fields.auth !== undefined) await this.root.getByText(authLabel[fields.auth], { exact: true }).click();
    if (fields.keyPath !== undefined) await this.field('keyPath').fill(fields.keyPath);
    for (const tag of fields.tags ?? []) {
      await this.field('tags').fill(tag);
      await this.field('tags').press('Enter');
    }
    if (fields.profile !== undefined) await this.field('profile').fill(fields.profile);
  }
}

export class TrustDialog {
  readonly root: Locator;
  readonly rows: Locator;
  readonly fingerprints: Locator;
  readonly keyTypes: Locator;
  readonly expected: Locator;
  readonly confirm: Locator;
  readonly match: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('dialog', { name: /^Trust the host key/ });
    this.rows = this.root.getByTestId('trust-row');
    this.fingerprints = this.root.getByTestId('trust-fingerprint');
    this.keyTypes = this.root.getByTestId('trust-keytype');
    this.expected = this.root.getByTestId('trust-expected');
    this.confirm = this.root.getByTestId('trust-confirm');
    this.match = this.root.getByTestId('trust-match');
  }
}

export class DeviceDetail {
  readonly root: Locator;
  readonly status: Locator;
  readonly latency: Locator;
  readonly fingerprint: Locator;
  readonly arch: Locator;
  readonly cores: Locator;
  readonly os: Locator;
  readonly kernel: Locator;
  readonly memory: Locator;
  readonly disk: Locator;
  readonly runtimes: Locator;
  readonly cpu: Locator;
  readonly notProbed: Locator;
  readonly probe: Locator;
  readonly checkStatus: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('dialog').filter({ has: page.getByTestId('detail-host-key') });
    this.status = this.root.getByTestId('detail-status');
    this.latency = this.root.getByTestId('detail-latency');
    this.fingerprint = this.root.getByTestId('detail-fingerprint');
    this.arch = this.root.getByTestId('facts-arch');
    this.cores = this.root.getByTestId('facts-cores');
    this.os = this.root.getByTestId('facts-os');
    this.kernel = this.root.getByTestId('facts-kernel');
    this.memory = this.root.getByTestId('facts-memory');
    this.disk = this.root.getByTestId('facts-disk');
    this.runtimes = this.root.getByTestId('facts-runtimes');
    this.cpu = this.root.getByTestId('facts-cpu');
    this.notProbed = this.root.getByTestId('detail-not-probed');
    this.probe = this.root.getByTestId('detail-probe');
    this.checkStatus = this.root.getByTestId('detail-status-check');
    this.error = this.root.getByTestId('detail-error');
  }

  title(name: string): Locator {
    return this.root.getByRole('heading', { name, exact: true });
  }
}

export class ImportDialog {
  readonly root: Locator;
  readonly input: Locator;
  readonly submit: Locator;
  readonly validOnly: Locator;
  readonly close: Locator;
  readonly report: Locator;
  readonly reportRows: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('dialog', { name: 'Import devices' });
    this.input = this.root.getByTestId('import-devices-input');
    this.submit = this.root.getByTestId('import-devices-submit');
    this.validOnly = this.root.getByTestId('import-devices-valid-only');
    this.close = this.root.getByTestId('import-devices-close');
    this.report = this.root.getByTestId('import-report');
    this.reportRows = this.root.getByTestId('import-row');
    this.error = this.root.getByTestId('import-devices-error');
  }

  countOf(action: 'added' | 'updated' | 'unchanged' | 'skipped' | 'rejected'): Locator {
    return this.root.getByTestId(`import-count-${action}`);
  }
}
