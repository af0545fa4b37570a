import { expect, type Locator, type Page } from '@playwright/test';

export const sectionPaths = ['models', 'optimize', 'benchmark', 'fleet', 'deploy', 'history'] as const;
export type SectionPath = (typeof sectionPaths)[number];

/** The frame around every page: header (app info, job indicator) and the section navbar. */
export class AppShell {
  readonly jobIndicator: Locator;
  readonly version: Locator;
  readonly dataDir: Locator;

  constructor(readonly page: Page) {
    this.jobIndicator = page.getByTestId('job-indicator');
    this.version = page.getByTestId('app-version');
    this.dataDir = page.getByTestId('app-data-dir');
  }

  /** Opens the console URL (token → cookie → redirect to `/`) and waits for the app to be up. */
  async open(consoleUrl: string): Promise<void> {
    await this.page.goto(consoleUrl);
    await expect(this.page.getByTestId('nav-models')).toBeVisible();
    await expect(this.version).toBeVisible();
  }

  navLink(section: SectionPath): Locator {
    return this.page.getByTestId(`nav-${section}`);
  }

  async goTo(section: SectionPath): Promise<void> {
    await this.navLink(section).click();
    await expect(this.navLink(section)).toHaveAttribute('aria-current', 'page');
  }
}
