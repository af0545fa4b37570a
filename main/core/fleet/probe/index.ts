export { probeDevice, type ProbeOptions } from './probe-device';
export { parseProbeOutput } from './parse-probe-output';
export { normalizeCpuFlags } from './cpu-info';
