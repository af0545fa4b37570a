import type { Page } from '@playwright/test';
import { callApi } from './fixtures/console-api';
import { test, expect, type DeployDevice } from './fixtures/deploy-devices';
import { AppShell } from './pages/app-shell';
import { FleetPage } from './pages/fleet-page';

/** Puts the sshd devices in the inventory without trusting them: their keys are unknown to EdgeFleet. */
async function addUntrusted(page: Page, devices: readonly DeployDevice[]): Promise<void> {
  for (const d of devices) {
    await callApi(page, 'devices.add', {
      name: d.name,
      host: d.sshd.host,
      port: d.sshd.port,
      user: d.sshd.username,
      authMethod: 'key',
      keyPath: d.sshd.clientKeyPath,
    });
  }
}

test('a bulk probe keeps its per-device results in view; trusting refreshes the status and its alert', async ({
  page,
  consoleUrl,
  deployDevices,
}) => {
  test.setTimeout(120_000);
  const shell = new AppShell(page);
  await shell.open(consoleUrl);
  await addUntrusted(page, deployDevices);
  await shell.goTo('fleet');
  const fleet = new FleetPage(page);
  await fleet.ready();
  await expect(fleet.rows).toHaveCount(2);

  // Bulk probe of two untrusted devices: the results stay; no trust dialog is opened over them.
  await fleet.selectAll.click();
  await fleet.bulk('probe').click();
  await expect(fleet.opSummary).toContainText('Probed 2 devices: 0 ok, 2 failed');
  const failures = fleet.opPanel.getByTestId('op-failure');
  await expect(failures).toHaveCount(2);
  await expect(failures.getByTestId('op-failure-code')).toHaveText(['HOST_KEY_UNKNOWN', 'HOST_KEY_UNKNOWN']);
  // Each unknown key has its own Trust button; the GUI offers it instead of a CLI command.
  await expect(failures.getByTestId('op-failure-trust')).toHaveCount(2);
  await expect(fleet.opPanel).not.toContainText('edgefleet devices trust');
  await expect(fleet.opPanel).toContainText('Trust host key…');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Trusting one device from its row: the dialog is for that device only, then it is probed.
  await failures.filter({ hasText: 'edge-a' }).getByTestId('op-failure-trust').click();
  await expect(fleet.trust.root).toHaveAccessibleName('Trust the host key of edge-a');
  await expect(fleet.trust.fingerprints).toHaveText(deployDevices[0].sshd.hostFingerprint);
  await fleet.trust.confirm.click();
  await expect(fleet.trust.root).toBeHidden();
  await expect(fleet.opSummary).toContainText('Probed 1 device: 1 ok', { timeout: 30_000 });
  await expect(fleet.row('edge-a').getByTestId('device-status')).toHaveAttribute('data-state', 'online');

  // edge-b still shows the problem of the last probe, with its alert, until it is trusted.
  await fleet.row('edge-b').click();
  const detail = fleet.detail;
  await expect(detail.status).toHaveAttribute('data-state', 'host_key_problem');
  await expect(detail.error).toHaveAttribute('data-error-code', 'HOST_KEY_UNKNOWN');
  await expect(detail.error).not.toContainText('edgefleet');
  await detail.root.getByTestId('detail-trust').click();
  await expect(fleet.trust.root).toBeVisible();
  await fleet.trust.confirm.click();
  await expect(fleet.trust.root.getByTestId('trust-done')).toBeVisible();
  await fleet.trust.root.getByTestId('trust-close').click();
  await expect(fleet.trust.root).toBeHidden();
  // Pinned, and the stale status and its HOST_KEY_UNKNOWN alert are gone without another probe.
  await expect(detail.fingerprint).toHaveText(deployDevices[1].sshd.hostFingerprint);
  await expect(detail.status).not.toHaveAttribute('data-state', 'host_key_problem');
  await expect(detail.error).toHaveCount(0);
  await expect(fleet.row('edge-b').getByTestId('device-status')).toHaveAttribute('data-state', 'unchecked');

  // The next check is a real one: online.
  await detail.checkStatus.click();
  await expect(detail.status).toHaveAttribute('data-state', 'online');
});
