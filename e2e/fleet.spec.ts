import type { Page, TestInfo } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { bulkInventoryRows, closedPort, expect, localFacts, test, writeInventory } from './fixtures/devices';
import { AppShell } from './pages/app-shell';
import { FleetPage } from './pages/fleet-page';
import { accessibilityProblems } from './support/a11y';
import { snap, snapThemes } from './support/screenshot';

/** Opens the console on the Fleet page and waits for the inventory. */
async function openFleet(page: Page, consoleUrl: string): Promise<FleetPage> {
  const shell = new AppShell(page);
  await shell.open(consoleUrl);
  await shell.goTo('fleet');
  const fleet = new FleetPage(page);
  await fleet.ready();
  return fleet;
}

/** Milliseconds from `act` until `done` resolves, recorded in the report (never asserted: shared CI cores). */
async function timed(testInfo: TestInfo, what: string, act: () => Promise<void>, done: () => Promise<void>) {
  const started = Date.now();
  await act();
  await done();
  const ms = Date.now() - started;
  testInfo.annotations.push({ type: 'timing', description: `${what}: ${ms} ms` });
}

// Each flow runs once; its screenshots are taken in both themes (the UI review material).
test.describe('Fleet', () => {
  test('add a device, see the trust prompt with its fingerprint, trust, probe, see the facts', async ({
    page,
    consoleUrl,
    sshDevice,
  }, testInfo) => {
    test.setTimeout(240_000);
    const fleet = await openFleet(page, consoleUrl);
    await expect(fleet.empty).toBeVisible();

    // The dialog checks fields with the contract's own rules before anything is sent.
    await fleet.addButton.click();
    await expect(fleet.form.root).toBeVisible();
    await fleet.form.field('port').fill('70000');
    await fleet.form.submit.click();
    await expect(fleet.form.fieldError('name')).toBeVisible();
    await expect(fleet.form.fieldError('host')).toBeVisible();
    await expect(fleet.form.fieldError('port')).toContainText('from 1 to 65535');
    await expect(fleet.form.fieldError('keyPath')).toContainText('private key file');
    await expect(fleet.form.field('name')).toBeFocused();
    await snapThemes(page, testInfo, 'fleet-add-dialog-errors');

    await fleet.form.fill({
      name: 'edge-1',
      host: sshDevice.host,
      port: sshDevice.port,
      user: sshDevice.username,
      auth: 'key',
      keyPath: sshDevice.clientKeyPath,
      tags: ['lab', 'x86 box'],
      profile: 'local-machine',
    });
    await expect(fleet.form.fieldError('port')).toHaveCount(0);
    await snapThemes(page, testInfo, 'fleet-add-dialog');
    await fleet.form.submit.click();
    await expect(fleet.form.root).toBeHidden();

    // The new device opens in the detail drawer: not trusted, not probed.
    const detail = fleet.detail;
    await expect(detail.title('edge-1')).toBeVisible();
    await expect(fleet.notice).toContainText('Added edge-1');
    await expect(detail.notProbed).toBeVisible();
    await expect(detail.root.getByTestId('detail-host-key')).toContainText('Not trusted yet');
    await expect(fleet.row('edge-1').getByTestId('device-key')).toHaveAttribute('data-pinned', 'false');

    // Probing an untrusted device stops at its host key: the prompt shows the fingerprint sshd has.
    await detail.probe.click();
    await expect(fleet.trust.root).toBeVisible();
    await expect(fleet.trust.fingerprints).toHaveCount(1);
    await expect(fleet.trust.fingerprints).toHaveText(sshDevice.hostFingerprint);
    await expect(fleet.trust.keyTypes).toHaveText('ssh-ed25519');
    await expect(fleet.trust.rows).toHaveAttribute('data-verdict', 'new');
    // Typing a fingerprint that is not the device's blocks the trust; the right one allows it.
    await fleet.trust.expected.fill(`SHA256:${'x'.repeat(43)}`);
    await expect(fleet.trust.match).toHaveText('✗ does not match what you typed');
    await expect(fleet.trust.confirm).toBeDisabled();
    await fleet.trust.expected.fill(`256 ${sshDevice.hostFingerprint} root@edge-1 (ED25519)`);
    await expect(fleet.trust.match).toHaveText('✓ matches what you typed');
    await expect(fleet.trust.confirm).toHaveText('Trust and probe');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'fleet-trust-dialog');

    await fleet.trust.confirm.click();
    await expect(fleet.trust.root).toBeHidden();
    // Trusted, then probed: the facts are this machine's (the sshd runs here).
    const facts = localFacts();
    await expect(detail.arch).toHaveText(facts.arch, { timeout: 30_000 });
    await expect(detail.cores).toHaveText(String(facts.cores));
    await expect(detail.fingerprint).toHaveText(sshDevice.hostFingerprint);
    await expect(detail.os).not.toHaveText('—');
    await expect(detail.kernel).toContainText('Linux');
    await expect(detail.memory).toContainText('available of');
    await expect(detail.disk).toContainText('free of');
    await expect(detail.status).toHaveAttribute('data-state', 'online');
    await expect(fleet.opSummary).toContainText('Probed 1 device: 1 ok');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'fleet-device-detail');

    // Status: online, with the handshake latency.
    await detail.checkStatus.click();
    await expect(fleet.opSummary).toContainText('Checked 1 device: 1 ok');
    await expect(detail.status).toHaveAttribute('data-state', 'online');
    await expect(detail.latency).toContainText('ms');
    await page.keyboard.press('Escape');
    await expect(detail.root).toBeHidden();
    await expect(fleet.row('edge-1').getByTestId('device-status')).toHaveAttribute('data-state', 'online');
    await expect(fleet.row('edge-1').getByTestId('device-system')).toContainText(facts.arch);

    // A second device on a port nothing listens on. Its name is first taken: main's refusal lands on the field.
    await fleet.fillNewDevice({
      name: 'edge-1',
      host: '127.0.0.1',
      port: await closedPort(),
      user: sshDevice.username,
      auth: 'key',
      keyPath: sshDevice.clientKeyPath,
    });
    await fleet.form.submit.click();
    await expect(fleet.form.fieldError('name')).toContainText('edge-1');
    await fleet.form.field('name').fill('closed-1');
    await expect(fleet.form.fieldError('name')).toHaveCount(0);
    await fleet.form.submit.click();
    await expect(detail.title('closed-1')).toBeVisible();
    await detail.checkStatus.click();
    await expect(detail.status).toHaveAttribute('data-state', 'offline');
    await expect(detail.error).toHaveAttribute('data-error-code', 'UNREACHABLE');
    await page.keyboard.press('Escape');

    // Bulk: select every device, check them all, with a per-device outcome.
    await fleet.selectAll.click();
    await expect(fleet.bulkCount).toHaveAttribute('data-count', '2');
    await fleet.bulk('status').click();
    await expect(fleet.opSummary).toContainText('Checked 2 devices: 1 ok, 1 failed');
    const failure = fleet.opPanel.getByTestId('op-failure');
    await expect(failure).toHaveAttribute('data-device', 'closed-1');
    await expect(failure.getByTestId('op-failure-code')).toHaveText('UNREACHABLE');
    await expect(fleet.row('closed-1').getByTestId('device-status')).toHaveAttribute('data-state', 'offline');

    // Filters: status and tag.
    await fleet.chooseFilter(fleet.statusFilter, 'online (1)');
    await expect(fleet.rows).toHaveCount(1);
    await expect(fleet.row('edge-1')).toBeVisible();
    await fleet.chooseFilter(fleet.statusFilter, 'offline (1)');
    await expect(fleet.rows).toHaveCount(1);
    await expect(fleet.row('closed-1')).toBeVisible();
    await page.getByTestId('fleet-clear-filters').click();
    await fleet.chooseFilter(fleet.tagFilter, 'x86 box');
    await expect(fleet.rows).toHaveCount(1);
    await page.getByTestId('fleet-clear-filters').click();
    await expect(fleet.rows).toHaveCount(2);

    // Bulk tag: both selected devices get it in one call.
    await expect(fleet.bulkCount).toHaveAttribute('data-count', '2');
    await fleet.bulk('tag-add').click();
    const tagDialog = page.getByRole('dialog', { name: 'Add tags to 2 devices' });
    await tagDialog.getByTestId('tag-input').fill('rack 3');
    await tagDialog.getByTestId('tag-input').press('Enter');
    await tagDialog.getByTestId('tag-input').press('Tab'); // leaving the field closes its suggestions
    await tagDialog.getByTestId('tag-submit').click();
    await expect(fleet.notice).toContainText('Added “rack 3” to 2 devices.');
    await fleet.chooseFilter(fleet.tagFilter, 'rack 3');
    await expect(fleet.rows).toHaveCount(2);
    await page.getByTestId('fleet-clear-filters').click();
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'fleet-list');

    // Edit: only what changed is sent; the free-text filter searches the notes.
    await fleet.row('edge-1').click();
    await detail.root.getByTestId('detail-edit').click();
    await expect(fleet.form.field('name')).toHaveValue('edge-1');
    await fleet.form.field('notes').fill('Shelf B, next to the router');
    await fleet.form.submit.click();
    await expect(fleet.form.root).toBeHidden();
    await expect(detail.root.getByTestId('detail-connection')).toContainText('Shelf B, next to the router');
    await expect(detail.root.getByTestId('detail-tags')).toContainText('rack 3');
    await page.keyboard.press('Escape');
    await fleet.search.fill('router shelf');
    await expect(fleet.rows).toHaveCount(1);
    await expect(fleet.row('edge-1')).toBeVisible();
    await fleet.search.fill('');
    await expect(fleet.rows).toHaveCount(2);

    // Keyboard: ↓ moves between rows, Enter opens the device.
    await fleet.row('closed-1').focus();
    await page.keyboard.press('ArrowDown');
    await expect(fleet.row('edge-1')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(detail.title('edge-1')).toBeVisible();
  });
});

test.describe('Fleet secrets', () => {
  test('a passphrase-protected key: asked when needed (again after a wrong one), then the probe goes on', async ({
    page,
    consoleUrl,
    lockedDevice,
  }, testInfo) => {
    test.setTimeout(120_000);
    const { device, keyPath, passphrase } = lockedDevice;
    const fleet = await openFleet(page, consoleUrl);
    await fleet.fillNewDevice({
      name: 'locked-1',
      host: device.host,
      port: device.port,
      user: device.username,
      auth: 'key',
      keyPath,
    });
    await fleet.form.submit.click();
    await expect(fleet.detail.title('locked-1')).toBeVisible();

    // Trusting needs no login; the probe then needs the key's passphrase, which is asked for.
    await fleet.detail.probe.click();
    await expect(fleet.trust.fingerprints).toHaveText(device.hostFingerprint);
    await fleet.trust.confirm.click();
    const secrets = page.getByRole('dialog', { name: 'Password or passphrase needed' });
    await expect(secrets).toBeVisible();
    await expect(secrets).toContainText(`Passphrase of the key ${keyPath}`);
    await snap(page, testInfo, 'fleet-secret-dialog');

    await secrets.getByTestId('secret-input').fill('not the passphrase');
    await secrets.getByTestId('secret-submit').click();
    // Wrong: the probe fails again and the question comes back.
    await expect(fleet.opSummary).toContainText('1 failed');
    await expect(secrets).toBeVisible();
    await expect(secrets.getByTestId('secret-input')).toHaveValue('');
    await secrets.getByTestId('secret-input').fill(passphrase);
    await secrets.getByTestId('secret-submit').click();
    await expect(secrets).toBeHidden();
    await expect(fleet.detail.arch).toHaveText(localFacts().arch, { timeout: 30_000 });
    await expect(fleet.opSummary).toContainText('Probed 1 device: 1 ok');
    await expect(fleet.detail.status).toHaveAttribute('data-state', 'online');
  });
});

test.describe('Fleet at scale', () => {
  test('imports 2,000 devices from CSV; the table stays virtualized and filtering finds a device near the end', async ({
    page,
    consoleUrl,
  }, testInfo) => {
    test.setTimeout(180_000);
    const fleet = await openFleet(page, consoleUrl);

    // A file with bad rows is refused as a whole, with the reason per row; then its valid rows only.
    const bad = await writeInventory(testInfo.outputPath('with-bad-rows.csv'), [
      { name: 'good-1', host: '10.9.0.1' },
      { name: 'bad name!', host: '10.9.0.2' },
      { name: 'good-2', host: '10.9.0.3', port: 99_999 },
      { name: 'good-3', host: '10.9.0.4', tags: ['edge'] },
    ]);
    await fleet.importButton.click();
    await fleet.importDialog.input.setInputFiles(bad);
    await fleet.importDialog.submit.click();
    await expect(fleet.importDialog.error).toHaveAttribute('data-error-code', 'IMPORT_INVALID');
    await expect(fleet.importDialog.report).toHaveAttribute('data-applied', 'false');
    await expect(fleet.importDialog.countOf('rejected')).toHaveAttribute('data-count', '2');
    await expect(fleet.importDialog.reportRows).toHaveCount(2);
    const [first, second] = [fleet.importDialog.reportRows.nth(0), fleet.importDialog.reportRows.nth(1)];
    await expect(first).toHaveAttribute('data-action', 'rejected');
    await expect(first).toContainText('bad name!');
    await expect(second).toHaveAttribute('data-action', 'rejected');
    await expect(second).toContainText('good-2');
    await expect(second).toContainText('port');
    await snap(page, testInfo, 'fleet-import-rejected');
    await fleet.importDialog.validOnly.click();
    await expect(fleet.importDialog.report).toHaveAttribute('data-applied', 'true');
    await expect(fleet.importDialog.countOf('added')).toHaveAttribute('data-count', '2');
    await fleet.importDialog.close.click();
    await expect(fleet.count).toHaveAttribute('data-total', '2');

    // 2,000 devices through the same upload.
    const csv = await writeInventory(testInfo.outputPath('fleet-2000.csv'), bulkInventoryRows(2000));
    await fleet.importButton.click();
    await fleet.importDialog.input.setInputFiles(csv);
    await timed(
      testInfo,
      'import 2,000 rows (upload + validate + write)',
      () => fleet.importDialog.submit.click(),
      () =>
        expect(fleet.importDialog.countOf('added')).toHaveAttribute('data-count', '2000', {
          timeout: 30_000,
        }),
    );
    await fleet.importDialog.close.click();
    await expect(fleet.count).toHaveAttribute('data-total', '2002');
    await expect(fleet.count).toHaveText('2,002 devices');

    // Only the rows in view are in the DOM.
    const domRows = await fleet.rows.count();
    expect(domRows).toBeGreaterThan(5);
    expect(domRows).toBeLessThan(100);
    await snap(page, testInfo, 'fleet-list-2000');

    // Scroll to the end: the last device is drawn, and still only a window of rows exists.
    await timed(
      testInfo,
      'scroll to the end of 2,002 rows',
      () => fleet.scroll.evaluate((el) => el.scrollTo({ top: el.scrollHeight })),
      () => expect(fleet.row('dev-2000')).toBeVisible(),
    );
    expect(await fleet.rows.count()).toBeLessThan(100);
    await expect(fleet.row('dev-0001')).toHaveCount(0);

    // Scrolling frame by frame through the list: frame times go to the report (not asserted).
    const frames = (await page.evaluate(`(async () => {
      const box = document.querySelector('[data-testid="devices-scroll"]');
      box.scrollTop = 0;
      const times = [];
      let last = performance.now();
      for (let i = 0; i < 90; i++) {
        box.scrollTop += 300;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        times.push(now - last);
        last = now;
      }
      return times;
    })()`)) as number[];
    const mean = frames.reduce((a, b) => a + b, 0) / frames.length;
    testInfo.annotations.push({
      type: 'timing',
      description: `scrolling 90 frames of 300 px: mean ${mean.toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms per frame`,
    });
    expect(await fleet.rows.count()).toBeLessThan(100);
    await fleet.scroll.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(fleet.row('dev-2000')).toBeVisible();

    // Keyboard: Home goes back to the first device (scrolling it into view), End to the last (by name).
    await fleet.row('dev-2000').focus();
    await expect(fleet.row('dev-2000')).toBeFocused();
    await page.keyboard.press('Home');
    await expect(fleet.row('dev-0001')).toBeFocused();
    await page.keyboard.press('End');
    await expect(fleet.row('good-3')).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(fleet.row('good-1')).toBeFocused();

    // Filtering finds a device near the end.
    await fleet.scroll.evaluate((el) => el.scrollTo({ top: 0 }));
    await timed(
      testInfo,
      'text filter over 2,002 devices',
      () => fleet.search.fill('dev-1999'),
      () => expect(fleet.rows).toHaveCount(1),
    );
    await expect(fleet.row('dev-1999')).toBeVisible();
    await expect(fleet.count).toHaveAttribute('data-shown', '1');
    await fleet.search.fill('');

    // Tag and profile filters: every 20th device is in rack-7; half of those are rpi4.
    await fleet.chooseFilter(fleet.tagFilter, 'rack-7');
    await expect(fleet.count).toHaveAttribute('data-shown', '100');
    await fleet.chooseFilter(fleet.profileFilter, 'jetson-nano');
    await expect(fleet.count).toHaveAttribute('data-shown', '100'); // rack-7 devices are odd-numbered
    await fleet.chooseFilter(fleet.profileFilter, 'rpi4');
    await expect(fleet.count).toHaveAttribute('data-shown', '0');
    await expect(page.getByTestId('fleet-no-match')).toBeVisible();
    await page.getByTestId('fleet-clear-filters').click();
    await expect(fleet.count).toHaveAttribute('data-shown', '2002');

    // Export: the text has every device.
    await fleet.exportButton.click();
    await expect(page.getByTestId('export-count')).toContainText('2,002 devices');
    await expect(page.getByTestId('export-text')).toHaveValue(/^name,host,port,user,auth/);
    await expect(page.getByTestId('export-text')).toHaveValue(/dev-2000,10\.0\.7\.208,22,edge,agent/);
    const download = page.waitForEvent('download');
    await page.getByTestId('export-download').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('edgefleet-devices.csv');
    const lines = (await readFile(await file.path(), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe(
      'name,host,port,user,auth,key_path,jump,tags,profile,deploy_root,restart_cmd,health_cmd,notes',
    );
    expect(lines).toHaveLength(2003);
    expect(await accessibilityProblems(page)).toEqual([]);
  });
});
