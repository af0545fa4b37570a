import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callApi } from './fixtures/console-api';
import { expect, localFacts, test } from './fixtures/devices';
import { AppShell } from './pages/app-shell';
import { FleetPage } from './pages/fleet-page';

test('the add dialog validates at the right time; the profile is offered, and a probe that contradicts it warns', async ({
  page,
  consoleUrl,
  sshDevice,
}, testInfo) => {
  test.setTimeout(120_000);
  const deployRoot = mkdtempSync(join(tmpdir(), 'edgefleet-e2e-validate-'));
  try {
    // onnxruntime-node where the app says to install it: the probe must find it there.
    const ortNode = join(deployRoot, 'runtime', 'node_modules', 'onnxruntime-node');
    mkdirSync(ortNode, { recursive: true });
    writeFileSync(
      join(ortNode, 'package.json'),
      '{\n  "name": "onnxruntime-node",\n  "version": "1.22.0"\n}\n',
    );

    const shell = new AppShell(page);
    await shell.open(consoleUrl);
    await shell.goTo('fleet');
    const fleet = new FleetPage(page);
    await fleet.ready();

    // Empty required fields say "required", not the format rule.
    await fleet.addButton.click();
    await fleet.form.submit.click();
    await expect(fleet.form.fieldError('name')).toHaveText('required');
    await expect(fleet.form.fieldError('host')).toHaveText('required');
    await expect(fleet.form.fieldError('keyPath')).toContainText('required');

    // A key file that does not exist is reported at its field when adding, and nothing is added.
    const missingKey = testInfo.outputPath('no-such-key');
    await fleet.form.fill({
      name: 'edge-1',
      host: sshDevice.host,
      port: sshDevice.port,
      user: sshDevice.username,
      auth: 'key',
      keyPath: missingKey,
    });
    await fleet.form.field('deployRoot').fill(deployRoot);
    await fleet.form.submit.click();
    await expect(fleet.form.fieldError('keyPath')).toContainText('does not exist');
    await expect(fleet.form.field('keyPath')).toBeFocused();
    expect(await callApi(page, 'devices.list', {})).toEqual([]);

    // The profile field offers the built-in profiles; pick one for another architecture than this machine's.
    const wrongProfile = localFacts().arch === 'x86_64' ? 'rpi4' : 'x86-ipc-avx2';
    await fleet.form.field('keyPath').fill(sshDevice.clientKeyPath);
    await fleet.form.field('profile').click();
    await expect(page.getByRole('option', { name: 'rpi4', exact: true })).toBeVisible();
    await fleet.form.field('profile').fill(wrongProfile);
    await page.getByRole('option', { name: wrongProfile, exact: true }).click();
    await expect(fleet.form.field('profile')).toHaveValue(wrongProfile);
    await fleet.form.submit.click();
    await expect(fleet.form.root).toBeHidden();

    // Trust and probe: the probe contradicts the profile, and says so; ONNX Runtime is found where it was put.
    const detail = fleet.detail;
    await detail.probe.click();
    await fleet.trust.confirm.click();
    await expect(detail.arch).toHaveText(localFacts().arch, { timeout: 30_000 });
    const mismatch = detail.root.getByTestId('detail-profile-mismatch');
    await expect(mismatch).toContainText(`The profile ${wrongProfile}`);
    await expect(mismatch).toContainText(`the probe found ${localFacts().arch}`);
    await expect(detail.runtimes.getByTestId('facts-ort-node')).toContainText('1.22.0 for Node');
    await expect(detail.runtimes).not.toContainText('not installed');
  } finally {
    rmSync(deployRoot, { recursive: true, force: true });
  }
});
