// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderUi } from '../../testing/render';
import { TensorrtLine } from './device-runtimes';

describe('TensorrtLine', () => {
  it('shows the TensorRT version, libnvinfer, GPUs and DLA cores the probe found', () => {
    renderUi(
      <TensorrtLine
        tensorrt={{
          trtexec: '/usr/src/tensorrt/bin/trtexec',
          version: '8.6.2',
          libnvinfer: '8.6.2',
          gpus: 1,
          dlaCores: 2,
        }}
      />,
    );
    const line = screen.getByTestId('facts-tensorrt');
    expect(line.textContent).toContain('TensorRT 8.6.2');
    expect(line.textContent).toContain('libnvinfer 8.6.2');
    expect(line.textContent).toContain('1 GPU, 2 DLA cores');
    expect(line.textContent).toContain('/usr/src/tensorrt/bin/trtexec');
  });

  it('says when there is no trtexec', () => {
    renderUi(<TensorrtLine tensorrt={null} />);
    expect(screen.getByTestId('facts-tensorrt-missing').textContent).toMatch(/no trtexec found/);
  });
});
