import type { Locator } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd } from '../test/fixtures/sshd';
import { callApi } from './fixtures/console-api';
import { expect, test, type DeployDevice } from './fixtures/deploy-devices';
import { writeSmallCnnFile } from './fixtures/models';
import { AppShell } from './pages/app-shell';
import { DeployPage } from './pages/deploy-page';
import { ModelsPage } from './pages/models-page';

const tag = 'e2e-mixed';
const model = 'small-cnn';

/** Whether the element shows all of its text (no ellipsis, nothing clipped). */
async function showsWholeText(element: Locator): Promise<boolean> {
  return element.evaluate((el) => {
    const label = el.querySelector('.mantine-Badge-label') ?? el;
    return label.scrollWidth <= label.clientWidth && el.scrollWidth <= el.clientWidth;
  });
}

test('a rollout where 2 of 3 devices fail their health check looks failed: red share, whole result badges', async ({
  page,
  consoleUrl,
}, testInfo) => {
  test.setTimeout(180_000);
  const devices: DeployDevice[] = [];
  try {
    for (const name of ['edge-ok', 'edge-bad-1', 'edge-bad-2']) {
      const deployRoot = mkdtempSync(join(tmpdir(), `edgefleet-e2e-root-${name}-`));
      devices.push({ name, sshd: await startSshd(), deployRoot });
    }
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const deploy = new DeployPage(page);
    await shell.open(consoleUrl);
    await models.ready();
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
    await expect(models.row(model)).toBeVisible();

    // One healthy device; two whose health check always fails (so the deploy switches them back).
    for (const d of devices) {
      await callApi(page, 'devices.add', {
        name: d.name,
        host: d.sshd.host,
        port: d.sshd.port,
        user: d.sshd.username,
        authMethod: 'key',
        keyPath: d.sshd.clientKeyPath,
        tags: [tag],
        deployRoot: d.deployRoot,
        healthCmd:
          d.name === 'edge-ok'
            ? `test -f ${d.deployRoot}/${model}/current/model.onnx`
            : 'echo "model server did not answer on :8080" >&2; exit 1',
      });
    }
    const trusted = await callApi(page, 'devices.trust', {
      devices: devices.map((d) => ({ ref: d.name, fingerprints: [d.sshd.hostFingerprint] })),
    });
    expect(trusted.every((t) => t.ok)).toBe(true);

    await shell.goTo('deploy');
    await deploy.ready();
    await deploy.chooseVariant(model);
    await deploy.chooseTag(tag);
    await expect(deploy.preflight).toHaveAttribute('data-deploy', '3');
    await deploy.deployButton.click();
    await expect(deploy.rollout).toBeVisible();
    await expect(deploy.rollout).not.toHaveAttribute('data-status', 'running', { timeout: 60_000 });

    await expect(deploy.rolloutRow('edge-ok')).toHaveAttribute('data-status', 'deployed');
    for (const name of ['edge-bad-1', 'edge-bad-2']) {
      await expect(deploy.rolloutRow(name)).toHaveAttribute('data-status', 'rolled_back');
    }

    // The overall bar: one third ok, two thirds red. Not a full green bar.
    const overall = page.getByTestId('rollout-overall');
    await expect(overall.getByTestId('rollout-overall-ok')).toHaveAttribute('data-count', '1');
    await expect(overall.getByTestId('rollout-overall-failed')).toHaveAttribute('data-count', '2');
    const widths = await overall.evaluate((root) => {
      const width = (id: string) =>
        root.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect().width ?? 0;
      return {
        total: root.getBoundingClientRect().width,
        ok: width('rollout-overall-ok'),
        failed: width('rollout-overall-failed'),
      };
    });
    expect(widths.failed / widths.total).toBeCloseTo(2 / 3, 1);
    expect(widths.ok / widths.total).toBeCloseTo(1 / 3, 1);
    const failedColor = await overall
      .getByTestId('rollout-overall-failed')
      .evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor ?? '');
    const [r, g, b] = (failedColor.match(/\d+/g) ?? []).map(Number);
    expect(r).toBeGreaterThan(150);
    expect(g ?? 255).toBeLessThan(120);
    expect(b ?? 255).toBeLessThan(120);

    // Every result badge shows its whole word, even beside long error messages.
    for (const d of devices) {
      const badge = deploy.rolloutRow(d.name).getByTestId('device-result');
      await expect(badge).toHaveText(d.name === 'edge-ok' ? 'ok' : 'rolled back');
      expect(await showsWholeText(badge), `${d.name}'s result badge is cut`).toBe(true);
    }
    // The same at a narrower window.
    await page.setViewportSize({ width: 1024, height: 800 });
    for (const d of devices) {
      expect(await showsWholeText(deploy.rolloutRow(d.name).getByTestId('device-result'))).toBe(true);
    }
  } finally {
    for (const d of devices) {
      await d.sshd.stop();
      rmSync(d.deployRoot, { recursive: true, force: true });
    }
  }
});
