// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderUi } from '../../../testing/render';
import { LineageTables } from './where-it-runs';

describe('LineageTables', () => {
  it('lists the benchmarks and the devices running the variant, with release names and History links', () => {
    renderUi(
      <LineageTables
        lineage={{
          modelId: 'm_2',
          benchmarks: [
            {
              id: 'b1',
              createdAt: '2026-01-01T10:00:00.000Z',
              source: 'estimated',
              targetKind: 'profile',
              targetId: 'rpi5',
              targetLabel: 'Raspberry Pi 5',
              runtime: 'estimator',
              latencyMs: 3.25,
            },
          ],
          runningOn: [
            {
              deviceId: 'd1',
              deviceName: 'pi-1',
              modelName: 'small-cnn',
              release: '20260101-100000-abcd1234',
              since: '2026-01-01T10:05:00.000Z',
              deploymentId: 'dep_1',
            },
          ],
        }}
      />,
    );
    const bench = screen.getByTestId('lineage-benchmark');
    expect(bench.textContent).toContain('Raspberry Pi 5');
    expect(bench.textContent).toContain('3.25 ms');
    const device = screen.getByTestId('lineage-device');
    expect(within(device).getByTestId('lineage-release').textContent).toBe('20260101-100000-abcd1234');
    expect(within(device).getByRole('link', { name: 'pi-1' }).getAttribute('href')).toBe(
      '/history?device=pi-1',
    );
  });

  it('says when nothing was benchmarked or deployed', () => {
    renderUi(<LineageTables lineage={{ modelId: 'm_1', benchmarks: [], runningOn: [] }} />);
    const benchmarks = screen.getByTestId('lineage-benchmarks-empty');
    expect(within(benchmarks).getByTestId('empty-state').textContent).toContain('No benchmarks yet');
    expect(within(benchmarks).getByRole('link', { name: 'Benchmark it' }).getAttribute('href')).toBe(
      '/benchmark?model=m_1',
    );
    const devices = screen.getByTestId('lineage-devices-empty');
    expect(within(devices).getByTestId('empty-state').textContent).toContain('No device runs it');
    expect(within(devices).getByRole('link', { name: 'Deploy it' }).getAttribute('href')).toBe(
      '/deploy?model=m_1',
    );
  });
});
