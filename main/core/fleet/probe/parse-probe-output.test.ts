import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { probeFactsSchema } from '../../../../shared/schemas/fleet';
import { parseCpuInfo, normalizeCpuFlags } from './cpu-info';
import {
  archFamilyOf,
  parseDf,
  parseMeminfo,
  parseOsRelease,
  parseProbeOutput,
  splitSections,
} from './parse-probe-output';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseProbeOutput', () => {
  it('reads an x86_64 Ubuntu machine with onnxruntime and a deployed model', () => {
    const facts = parseProbeOutput(fixture('x86_64-ubuntu.txt'));
    expect(probeFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.hostname).toBe('nuc-lab-03');
    expect(facts.os).toEqual({
      id: 'ubuntu',
      name: 'Ubuntu',
      versionId: '22.04',
      prettyName: 'Ubuntu 22.04.4 LTS',
    });
    expect(facts.kernel).toEqual({ name: 'Linux', release: '6.5.0-26-generic' });
    expect(facts.arch).toBe('x86_64');
    expect(facts.archFamily).toBe('x86_64');
    expect(facts.userlandBits).toBe(64);
    expect(facts.cpu.model).toBe('12th Gen Intel(R) Core(TM) i7-1260P');
    expect(facts.cpu.vendor).toBe('Intel');
    expect(facts.cpu.board).toBeNull();
    expect(facts.cpu.cores).toBe(12);
    expect(facts.cpu.logicalCpus).toBe(12);
    expect(facts.cpu.features).toEqual(['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'vnni']);
    expect(facts.cpu.flags).toContain('avx_vnni');
    expect(facts.memory).toEqual({ totalBytes: 32562756 * 1024, availableBytes: 21987654 * 1024 });
    expect(facts.disk).toEqual({
      deployRoot: '/opt/edgefleet',
      deployRootExists: true,
      probedPath: '/opt/edgefleet',
      mountPoint: '/',
      totalBytes: 490617784 * 1024,
      availableBytes: 342123456 * 1024,
    });
    expect(facts.runtimes).toEqual({
      python: '3.10.12',
      onnxruntime: { version: '1.17.1', providers: ['CPUExecutionProvider'] },
      node: 'v20.11.1',
      perfTest: '/usr/local/bin/onnxruntime_perf_test',
      onnxruntimeNode: null,
      tensorrt: null,
    });
    expect(facts.deployments).toEqual([
      {
        model: 'yolo-nano',
        current: 'releases/1.2.0-ab12cd34',
        manifest: {
          model: 'yolo-nano',
          version: '1.2.0',
          sha256: 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12',
          deployedAt: '2025-03-01T10:00:00.000Z',
        },
        error: null,
      },
    ]);
    expect(facts.warnings).toEqual([]);
  });

  it('reads a Raspberry Pi 4 (arm64) without runtimes and a deploy root that does not exist yet', () => {
    const facts = parseProbeOutput(fixture('arm64-raspberry-pi-4.txt'));
    expect(probeFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.os.prettyName).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(facts.arch).toBe('aarch64');
    expect(facts.archFamily).toBe('arm64');
    expect(facts.cpu.model).toBe('Cortex-A72');
    expect(facts.cpu.vendor).toBe('Arm');
    expect(facts.cpu.board).toBe('Raspberry Pi 4 Model B Rev 1.4');
    expect(facts.cpu.cores).toBe(4);
    expect(facts.cpu.logicalCpus).toBe(4);
    // The Pi 4's A72 has NEON but neither dot product nor fp16 arithmetic.
    expect(facts.cpu.features).toEqual(['neon']);
    expect(facts.memory.totalBytes).toBe(3880192 * 1024);
    expect(facts.disk).toMatchObject({
      deployRoot: '/home/pi/edge fleet',
      deployRootExists: false,
      probedPath: '/home/pi',
      availableBytes: 23881234 * 1024,
    });
    expect(facts.runtimes).toEqual({
      python: '3.11.2',
      onnxruntime: null,
      node: null,
      perfTest: null,
      onnxruntimeNode: null,
      tensorrt: null,
    });
    expect(facts.deployments).toEqual([]);
  });

  it('reads a Jetson Orin Nano behind a login banner, with GPU providers and a broken manifest', () => {
    const facts = parseProbeOutput(fixture('arm64-jetson-orin-nano.txt'));
    expect(probeFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.hostname).toBe('orin-nano-07');
    expect(facts.cpu.model).toBe('Cortex-A78AE');
    expect(facts.cpu.board).toBe('NVIDIA Jetson Orin Nano Developer Kit');
    expect(facts.cpu.cores).toBe(6);
    expect(facts.cpu.features).toEqual(['neon', 'dotprod', 'fp16']);
    expect(facts.disk.mountPoint).toBe('/data/my models');
    expect(facts.runtimes.onnxruntime).toEqual({
      version: '1.16.0',
      providers: ['TensorrtExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider'],
    });
    // JetPack's trtexec is not on PATH: the probe looks in /usr/src/tensorrt/bin.
    expect(facts.runtimes.tensorrt).toEqual({
      trtexec: '/usr/src/tensorrt/bin/trtexec',
      version: '8.6.2',
      libnvinfer: '8.6.2',
      gpus: 1,
      dlaCores: 2,
    });
    expect(facts.deployments).toHaveLength(2);
    expect(facts.deployments[0]).toEqual({
      model: 'detector',
      current: 'releases/2.0.0-0badf00d',
      manifest: { model: 'detector', version: '2.0.0', sha256: '0badf00d' },
      error: null,
    });
    expect(facts.deployments[1]).toMatchObject({ model: 'broken', current: null, manifest: null });
    expect(facts.deployments[1]?.error).toMatch(/not valid JSON/);
  });

  it('reads a 32-bit Raspberry Pi 3 and warns when the output was cut off', () => {
    const facts = parseProbeOutput(fixture('armv7-raspberry-pi-3-truncated.txt'));
    expect(probeFactsSchema.parse(facts)).toEqual(facts);
    expect(facts.archFamily).toBe('arm');
    expect(facts.userlandBits).toBe(32);
    expect(facts.os.versionId).toBe('11');
    expect(facts.cpu.model).toBe('Cortex-A53');
    expect(facts.cpu.board).toBe('Raspberry Pi 3 Model B Rev 1.2');
    expect(facts.cpu.features).toEqual(['neon']);
    // No MemAvailable on this kernel: free + buffers + cache.
    expect(facts.memory.availableBytes).toBe((523412 + 20480 + 201234) * 1024);
    expect(facts.disk.totalBytes).toBeNull();
    expect(facts.warnings.join(' ')).toMatch(/cut off/);
  });

  it('refuses output without the begin marker', () => {
    expect(() => parseProbeOutput('sh: 1: Syntax error\n')).toThrow(
      expect.objectContaining({ code: 'REMOTE_COMMAND_FAILED' }),
    );
  });

  it('keeps section text byte-exact and ignores markers with another tag', () => {
    const sections = splitSections(
      '\n@@00000000aaaaaaaa:begin@@\n1\n@@00000000aaaaaaaa:deploy-root@@\n/a b\n\n@@11111111bbbbbbbb:df@@\nx\n@@00000000aaaaaaaa:end@@\n',
    );
    expect(sections.map((s) => s.name)).toEqual(['begin', 'deploy-root', 'end']);
    expect(sections[1]?.text).toBe('/a b\n\n@@11111111bbbbbbbb:df@@\nx');
  });
});

describe('cpu facts', () => {
  it('normalizes flags across architectures', () => {
    expect(normalizeCpuFlags(['fp', 'asimd', 'asimddp', 'asimdhp', 'i8mm', 'bf16', 'sve', 'sve2'])).toEqual([
      'neon',
      'dotprod',
      'fp16',
      'i8mm',
      'bf16',
      'sve',
      'sve2',
    ]);
    expect(normalizeCpuFlags(['fphp'])).toEqual(['fp16']);
    expect(
      normalizeCpuFlags(['avx512f', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16', 'amx_int8', 'amx_tile']),
    ).toEqual(['fp16', 'bf16', 'avx512f', 'vnni', 'amx']);
    expect(normalizeCpuFlags(['AVX2', 'unknown_flag'])).toEqual(['avx2']);
  });

  it('names both clusters of a big.LITTLE Arm SoC (RK3588)', () => {
    const block = (i: number, part: string): string =>
      `processor\t: ${i}\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x2\nCPU part\t: ${part}\nCPU revision\t: 0\n`;
    const text = [0, 1, 2, 3]
      .map((i) => block(i, '0xd05'))
      .concat([4, 5, 6, 7].map((i) => block(i, '0xd0b')));
    const info = parseCpuInfo(text.join('\n'));
    expect(info.model).toBe('4× Cortex-A55 + 4× Cortex-A76');
    expect(info.logicalCpus).toBe(8);
    expect(info.features).toEqual(['neon', 'dotprod', 'fp16']);
  });

  it('falls back to the model name for unknown Arm parts', () => {
    const info = parseCpuInfo(
      'processor\t: 0\nmodel name\t: ARMv8 Processor rev 0 (v8l)\nCPU implementer\t: 0x99\nCPU part\t: 0x001\n',
    );
    expect(info.model).toBe('ARMv8 Processor rev 0 (v8l)');
    expect(info.vendor).toBe('0x99');
  });
});

describe('small parsers', () => {
  it('unquotes os-release values', () => {
    const values = parseOsRelease(
      'NAME="Debian \\"GNU\\"/Linux"\nID=debian\nVERSION_CODENAME=\'bookworm\'\n# comment\n',
    );
    expect(values.get('NAME')).toBe('Debian "GNU"/Linux');
    expect(values.get('ID')).toBe('debian');
    expect(values.get('VERSION_CODENAME')).toBe('bookworm');
  });

  it('reads df -Pk with spaces in the device and the mount point', () => {
    expect(
      parseDf('Filesystem 1024-blocks Used Available Capacity Mounted on\nmy fs 100 40 60 40% /mnt/a b\n'),
    ).toEqual({
      mountPoint: '/mnt/a b',
      totalBytes: 102400,
      availableBytes: 61440,
    });
    expect(parseDf('')).toBeNull();
  });

  it('reads meminfo and maps uname machines', () => {
    expect(parseMeminfo('MemTotal: 100 kB\nMemAvailable: 50 kB\n')).toEqual({
      totalBytes: 102400,
      availableBytes: 51200,
    });
    expect(parseMeminfo('')).toEqual({ totalBytes: null, availableBytes: null });
    expect(archFamilyOf('armv6l')).toBe('arm');
    expect(archFamilyOf('i686')).toBe('x86');
    expect(archFamilyOf('riscv64')).toBe('riscv64');
    expect(archFamilyOf(null)).toBe('other');
  });
});
