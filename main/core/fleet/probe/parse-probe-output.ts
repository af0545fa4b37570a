import { AppError } from '../../../../shared/errors';
import type {
  ArchFamily,
  DeployedManifest,
  ProbeFacts,
  TensorrtFacts,
} from '../../../../shared/schemas/fleet';
import { libnvinferVersion, parseTensorrtVersion } from '../../tensorrt/trtexec';
import { parseCpuInfo } from './cpu-info';

type Section = { name: string; text: string };

/**
 * Splits the probe output at its `@@<tag>:<name>@@` lines. The tag is learned from the `begin` marker, so
 * anything a login shell printed before the script (a banner from .bashrc) is ignored.
 */
export function splitSections(output: string): Section[] {
  const begin = /(?:^|\n)@@([0-9a-f]{8,64}):begin@@\n/.exec(output);
  if (begin === null) {
    throw new AppError(
      'REMOTE_COMMAND_FAILED',
      'The device did not run the probe script (no begin marker in its output). Check that /bin/sh works for this user.',
      { output: output.slice(0, 2000) },
    );
  }
  const tag = begin[1] ?? '';
  const marker = new RegExp(`\\n@@${tag}:([a-z0-9-]+)@@\\n`, 'g');
  const text = `\n${output.slice(begin.index)}`;
  const found = [...text.matchAll(marker)];
  return found.map((m, i) => {
    const start = m.index + m[0].length;
    // The script prints a newline before every marker: the section ends right before it.
    const end = found[i + 1]?.index ?? text.length;
    return { name: m[1] ?? '', text: text.slice(start, end) };
  });
}

/** Pure: probe output text → facts. Anything missing becomes null plus a warning, never a guess. */
export function parseProbeOutput(output: string): ProbeFacts {
  const sections = splitSections(output);
  const warnings: string[] = [];
  const one = (name: string): string | null => sections.find((s) => s.name === name)?.text ?? null;
  const trimmed = (name: string): string | null => {
    const value = one(name)?.trim();
    return value === undefined || value === '' ? null : value;
  };
  if (one('end') === null) warnings.push('The probe output was cut off; some facts may be missing.');

  const osRelease = parseOsRelease(one('os-release') ?? '');
  if (one('os-release')?.trim() === '') warnings.push('No /etc/os-release on the device.');
  const uname = parseUname(trimmed('uname'));
  const cpuText = one('cpuinfo') ?? '';
  if (cpuText.trim() === '') warnings.push('No /proc/cpuinfo on the device.');
  const cpu = parseCpuInfo(cpuText);
  const mem = parseMeminfo(one('meminfo') ?? '');
  if (mem.totalBytes === null) warnings.push('No memory size in /proc/meminfo.');
  const deployRoot = one('deploy-root') ?? '';
  const df = parseDf(one('df') ?? '');
  if (df === null) warnings.push('Could not read free disk space at the deploy root (df -Pk).');
  const longBit = trimmed('long-bit');

  return {
    hostname: trimmed('hostname'),
    os: {
      id: osRelease.get('ID') ?? null,
      name: osRelease.get('NAME') ?? null,
      versionId: osRelease.get('VERSION_ID') ?? null,
      prettyName: osRelease.get('PRETTY_NAME') ?? null,
    },
    kernel: { name: uname.name, release: uname.release },
    arch: uname.machine,
    archFamily: archFamilyOf(uname.machine),
    userlandBits: longBit === '32' ? 32 : longBit === '64' ? 64 : null,
    cpu: {
      model: cpu.model,
      vendor: cpu.vendor,
      board: trimmed('board') ?? cpu.board,
      cores: positiveInt(trimmed('nproc')),
      logicalCpus: cpu.logicalCpus,
      features: cpu.features,
      flags: cpu.flags,
    },
    memory: mem,
    disk: {
      deployRoot,
      deployRootExists: trimmed('root-exists') === 'yes',
      probedPath: one('disk-path'),
      mountPoint: df?.mountPoint ?? null,
      totalBytes: df?.totalBytes ?? null,
      availableBytes: df?.availableBytes ?? null,
    },
    runtimes: {
      python: /Python\s+(\S+)/.exec(one('python') ?? '')?.[1] ?? null,
      onnxruntime: parseOnnxruntime(one('onnxruntime') ?? ''),
      node: /^(v\d+\S*)/m.exec(one('node') ?? '')?.[1] ?? null,
      perfTest: trimmed('perf-test'),
      onnxruntimeNode: trimmed('ort-node'),
      tensorrt: parseTensorrt(
        trimmed('trtexec'),
        one('trtexec-banner'),
        one('libnvinfer'),
        one('accelerators'),
      ),
    },
    deployments: sections.filter((s) => s.name === 'manifest').map((s) => parseManifestSection(s.text)),
    warnings,
  };
}

/** os-release is a shell-compatible KEY=value file; values may be single or double quoted with escapes. */
export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m === null || m[1] === undefined || m[2] === undefined) continue;
    values.set(m[1], unquoteShellValue(m[2]));
  }
  return values;
}

function unquoteShellValue(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    return raw.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  }
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  return raw;
}

function parseUname(line: string | null): {
  name: string | null;
  release: string | null;
  machine: string | null;
} {
  const parts = (line ?? '').split(/\s+/).filter((p) => p !== '');
  if (parts.length < 3) return { name: parts[0] ?? null, release: null, machine: null };
  return {
    name: parts[0] ?? null,
    release: parts.slice(1, -1).join(' '),
    machine: parts[parts.length - 1] ?? null,
  };
}

export function archFamilyOf(machine: string | null): ArchFamily {
  if (machine === null) return 'other';
  if (/^(x86_64|amd64)$/.test(machine)) return 'x86_64';
  if (/^i[3-6]86$/.test(machine)) return 'x86';
  if (/^(aarch64|aarch64_be|arm64|armv8b)$/.test(machine)) return 'arm64';
  if (/^arm/.test(machine)) return 'arm';
  if (machine === 'riscv64') return 'riscv64';
  return 'other';
}

function positiveInt(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? n : null;
}

export function parseMeminfo(text: string): { totalBytes: number | null; availableBytes: number | null } {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) kb.set(m[1], Number(m[2]));
  }
  const total = kb.get('MemTotal');
  // MemAvailable exists since Linux 3.14; older kernels get the classic free + buffers + cache estimate.
  const available =
    kb.get('MemAvailable') ??
    (kb.has('MemFree')
      ? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0)
      : undefined);
  return {
    totalBytes: total === undefined ? null : total * 1024,
    availableBytes: available === undefined ? null : available * 1024,
  };
}

/** `df -Pk` data line: fields from the right, so spaces in the device name or mount point survive. */
export function parseDf(
  text: string,
): { mountPoint: string; totalBytes: number; availableBytes: number } | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^Filesystem\s/.test(l));
  const line = lines[lines.length - 1];
  if (line === undefined) return null;
  const m = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line);
  if (m === null || m[2] === undefined || m[4] === undefined || m[6] === undefined) return null;
  return { mountPoint: m[6], totalBytes: Number(m[2]) * 1024, availableBytes: Number(m[4]) * 1024 };
}

function parseOnnxruntime(text: string): { version: string; providers: string[] } | null {
  const [version, providers] = text.trim().split('\n');
  if (version === undefined || !/^\d+\.\d+/.test(version.trim())) return null;
  return {
    version: version.trim(),
    providers: (providers ?? '')
      .trim()
      .split(',')
      .filter((p) => p !== ''),
  };
}

/** TensorRT facts: null without trtexec; GPUs and DLA cores from the device nodes the probe listed. */
export function parseTensorrt(
  trtexec: string | null,
  banner: string | null,
  libnvinfer: string | null,
  accelerators: string | null,
): TensorrtFacts | null {
  if (trtexec === null) return null;
  const nodes = (accelerators ?? '').split('\n').filter((l) => l.startsWith('/dev/'));
  const dla = new Set(nodes.flatMap((n) => /nvdla(\d+)$/.exec(n)?.[1] ?? []));
  const discrete = nodes.filter((n) => /^\/dev\/nvidia\d+$/.test(n)).length;
  const integrated = nodes.some((n) => n === '/dev/nvhost-gpu' || n === '/dev/nvgpu/igpu0') ? 1 : 0;
  return {
    trtexec,
    version: parseTensorrtVersion(banner ?? ''),
    libnvinfer: libnvinferVersion((libnvinfer ?? '').split('\n')),
    gpus: accelerators === null ? null : discrete + integrated,
    dlaCores: accelerators === null ? null : dla.size,
  };
}

function parseManifestSection(text: string): DeployedManifest {
  const firstBreak = text.indexOf('\n');
  const secondBreak = firstBreak < 0 ? -1 : text.indexOf('\n', firstBreak + 1);
  const model = firstBreak < 0 ? text : text.slice(0, firstBreak);
  const current =
    firstBreak < 0 ? '' : text.slice(firstBreak + 1, secondBreak < 0 ? undefined : secondBreak).trim();
  const body = secondBreak < 0 ? '' : text.slice(secondBreak + 1);
  try {
    return {
      model,
      current: current === '' ? null : current,
      manifest: JSON.parse(body) as DeployedManifest['manifest'],
      error: null,
    };
  } catch (err) {
    return {
      model,
      current: current === '' ? null : current,
      manifest: null,
      error: `manifest.json is not valid JSON (${(err as Error).message}); redeploy this model to rewrite it.`,
    };
  }
}
