import { callApi, runJobApi } from './fixtures/console-api';
import { addDeployDevices, expect, remoteCurrent, test } from './fixtures/deploy-devices';
import { writeSmallCnnFile } from './fixtures/models';
import { AppShell } from './pages/app-shell';
import { DeployPage } from './pages/deploy-page';
import { HistoryPage } from './pages/history-page';
import { ModelsPage } from './pages/models-page';
import { accessibilityProblems } from './support/a11y';
import { snapThemes } from './support/screenshot';

const tag = 'e2e-cams';
const model = 'small-cnn';

test.describe('Deploy and History', () => {
  test('deploy to two devices in one click, watch it, see it in History, roll one back, drift in sync', async ({
    page,
    consoleUrl,
    deployDevices,
  }, testInfo) => {
    test.setTimeout(300_000);
    const [edgeA, edgeB] = deployDevices;
    const shell = new AppShell(page);
    const models = new ModelsPage(page);
    const deploy = new DeployPage(page);
    const history = new HistoryPage(page);

    // The stage: the small CNN imported through the library, an FP16 variant of it, two trusted devices.
    await shell.open(consoleUrl);
    await models.ready();
    await models.importFile(await writeSmallCnnFile(testInfo.outputPath('small-cnn.onnx')));
    await expect(models.row(model)).toBeVisible();
    const [original] = await callApi(page, 'models.list', {});
    if (!original) throw new Error('the import left no model');
    const fp16 = (await runJobApi(page, 'optimize.run', { model: original.id, options: { method: 'fp16' } }))
      .model;
    // Slow enough health checks (3 s) to see devices mid-rollout.
    await addDeployDevices(page, deployDevices, { tag, model, healthSeconds: 3 });

    // Before: nothing picked, nothing deployed anywhere.
    await shell.goTo('deploy');
    await deploy.ready();
    await expect(deploy.targetRows).toHaveCount(2);
    await expect(deploy.targetRow(edgeA.name).getByTestId('deploy-target-runs')).toHaveText(
      'nothing deployed',
    );
    await expect(deploy.deployButton).toBeDisabled();
    await expect(deploy.blocker).toHaveText('Pick the variant to deploy.');

    // Variant with its size and fidelity; the tag picks both devices; the preflight says what will happen.
    await deploy.chooseVariant(model);
    await expect(deploy.variantFidelity).toHaveAttribute('data-kind', 'reference');
    await deploy.chooseTag(tag);
    await expect(deploy.targetRow(edgeA.name)).toHaveAttribute('data-picked', 'true');
    await expect(deploy.targetRow(edgeB.name)).toHaveAttribute('data-picked', 'true');
    await expect(deploy.preflight).toHaveAttribute('data-deploy', '2');
    await expect(deploy.preflight).toHaveAttribute('data-untrusted', '0');
    await expect(deploy.preflightLine).toContainText('2 devices: 2 will receive small-cnn');
    await expect(deploy.targetRow(edgeA.name).getByTestId('deploy-target-plan')).toHaveAttribute(
      'data-plan',
      'deploy',
    );
    await expect(deploy.deployButton).toBeEnabled();
    await expect(deploy.deployButton).toHaveText('Deploy small-cnn to 2 devices');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'deploy-before');

    // One click. The rows move (a health check is running on some device), then both reach ok.
    await deploy.deployButton.click();
    await expect(deploy.rollout).toBeVisible();
    await expect(deploy.rolloutRows).toHaveCount(2);
    const checking = deploy.page.locator(
      '[data-testid="rollout-row"][data-status="running"][data-step="health"]',
    );
    await expect(checking.first()).toBeVisible({ timeout: 20_000 });
    await expect(deploy.rollout).toHaveAttribute('data-status', 'running');
    await expect(deploy.cancelButton).toBeVisible();
    await snapThemes(page, testInfo, 'deploy-during');
    for (const d of deployDevices) {
      await expect(deploy.rolloutRow(d.name)).toHaveAttribute('data-status', 'deployed', { timeout: 30_000 });
      await expect(deploy.rolloutRow(d.name).getByTestId('device-result')).toHaveText('ok');
    }
    await expect(deploy.rollout).toHaveAttribute('data-status', 'succeeded');
    await expect(deploy.rolloutSummary).toHaveText('2 ok');
    // On the devices themselves: `current` points at a release named for the file, serving the very bytes.
    const first = remoteCurrent(edgeA, model);
    expect(first.link).toMatch(new RegExp(`^releases/\\d{8}-\\d{6}-${original.sha256.slice(0, 8)}$`));
    expect(first.sha256).toBe(original.sha256);
    expect(remoteCurrent(edgeB, model)).toEqual(first);
    const originalRelease = first.link.replace('releases/', '');
    // The preflight, checked again, now says there is nothing left to do on these devices.
    await expect(deploy.preflight).toHaveAttribute('data-unchanged', '2');
    await expect(deploy.targetRow(edgeA.name).getByTestId('deploy-target-runs')).toContainText(
      originalRelease,
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'deploy-after');

    // History: the deployment with its per-device results and log lines.
    await deploy.historyLink.click();
    await history.ready();
    await expect(history.deploymentRows).toHaveCount(1);
    await expect(history.deploymentRows.first()).toHaveAttribute('data-status', 'succeeded');
    await expect(history.deploymentRows.first().getByTestId('deployment-targets')).toHaveText(
      'edge-a, edge-b',
    );
    await expect(history.report.getByTestId('report-status')).toHaveText('succeeded');
    await expect(history.reportDevices).toHaveCount(2);
    for (const d of deployDevices) {
      await expect(history.reportDevice(d.name)).toHaveAttribute('data-status', 'deployed');
      await expect(history.reportDevice(d.name).getByTestId('report-release')).toHaveText(
        `— → ${originalRelease}`,
      );
      await expect(history.reportDevice(d.name).getByTestId('report-bytes')).toHaveAttribute(
        'data-bytes',
        String(original.sizeBytes),
      );
    }
    await history.reportDevice(edgeA.name).getByTestId('report-log-toggle').click();
    await expect(history.report.getByTestId('report-log-line').first()).toBeVisible();
    expect(await history.report.getByTestId('report-log-line').count()).toBeGreaterThan(3);
    await expect(history.releaseRow(edgeA.name)).toHaveAttribute('data-current', originalRelease);

    // A second variant to both (opened from a link, as Benchmark's "Deploy" does), so each has a previous release.
    await page.goto(`${new URL(consoleUrl).origin}/#/deploy?model=${encodeURIComponent(fp16.id)}`);
    await deploy.ready();
    await expect(deploy.variantFacts).toHaveAttribute('data-model-id', fp16.id);
    await expect(deploy.variantFidelity).toHaveAttribute('data-kind', 'variant');
    await expect(deploy.page.getByTestId('deploy-fidelity-cosine')).toHaveAttribute('data-grade', 'good');
    await deploy.targetRow(edgeA.name).getByTestId('deploy-target-check').check();
    await deploy.targetRow(edgeB.name).getByTestId('deploy-target-check').check();
    await expect(deploy.preflight).toHaveAttribute('data-deploy', '2');
    await deploy.deployButton.click();
    for (const d of deployDevices) {
      await expect(deploy.rolloutRow(d.name)).toHaveAttribute('data-status', 'deployed', { timeout: 30_000 });
    }
    const second = remoteCurrent(edgeA, model);
    expect(second.sha256).toBe(fp16.sha256);
    const fp16Release = second.link.replace('releases/', '');

    // Roll edge-a back from its release row: it returns to the original, edge-b stays on FP16.
    await shell.goTo('history');
    await history.ready();
    await expect(history.releaseRow(edgeA.name)).toHaveAttribute('data-current', fp16Release);
    await expect(history.releaseRow(edgeA.name)).toHaveAttribute('data-previous', originalRelease);
    await history.releaseRow(edgeA.name).getByTestId('release-rollback').click();
    await expect(history.rollbackDialog).toBeVisible();
    await expect(history.rollbackDialog).toContainText(fp16Release);
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'history-rollback-dialog');
    await history.rollbackConfirm.click();
    await expect(history.rollbackResult).toBeVisible();
    await expect(history.rollbackHeadline).toHaveText(
      `Rolled back ${edgeA.name}: ${model} now runs ${originalRelease}.`,
      { timeout: 30_000 },
    );
    await expect(history.releaseRow(edgeA.name)).toHaveAttribute('data-current', originalRelease);
    await expect(history.releaseRow(edgeA.name)).toHaveAttribute('data-previous', fp16Release);
    await expect(history.releaseRow(edgeB.name)).toHaveAttribute('data-current', fp16Release);
    await expect(history.deploymentRows).toHaveCount(3);
    await expect(history.deploymentRows.first()).toHaveAttribute('data-kind', 'rollback');
    await expect(history.report.getByTestId('report-status')).toHaveText('succeeded');
    await expect(history.reportDevice(edgeA.name).getByTestId('report-release')).toHaveText(
      `${fp16Release} → ${originalRelease}`,
    );
    expect(remoteCurrent(edgeA, model)).toEqual(first);
    expect(remoteCurrent(edgeB, model)).toEqual(second);

    // Drift: read every device over SSH; both run exactly what History records.
    await history.driftButton.click();
    await expect(history.driftPanel).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
    await expect(history.driftRows).toHaveCount(2);
    for (const d of deployDevices) {
      await expect(history.driftRow(d.name)).toHaveAttribute('data-state', 'in_sync');
      await expect(history.driftRow(d.name).getByTestId('drift-state')).toHaveText('in sync');
    }
    await expect(history.driftSummary).toHaveText('2 in sync');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'history');

    // A device's release history: what it was sent, each one a rollback target.
    await history.releaseRow(edgeA.name).getByTestId('release-device').click();
    await expect(history.deviceHistory).toHaveAttribute('data-device', edgeA.name);
    await expect(history.deviceHistory.getByTestId('device-history-release')).toHaveAttribute(
      'data-release',
      fp16Release,
    );
    await expect(history.deploymentRows).toHaveCount(3);
    await expect(shell.jobIndicator).toHaveAttribute('data-count', '0');
    expect(await accessibilityProblems(page)).toEqual([]);
    await snapThemes(page, testInfo, 'history-device');
  });
});
