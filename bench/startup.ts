import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * `npm run bench:startup`: how long the `edgefleet` command takes to start and finish its cheapest commands,
 * against `node -e 0` (the floor) in the same run. Rounds are interleaved — each round runs every command once,
 * in turn — so load from other processes falls on all rows alike. Wall time and CPU time (user + system of the
 * child) are both reported; on a shared machine CPU time moves much less. Options: --runs 15.
 *
 * The CLI bundle is built first (bin/edgefleet.js would rebuild a stale one in the first timed run).
 */

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(args.runs);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'edgefleet.js');
const dataDir = mkdtempSync(join(tmpdir(), 'ef-bench-startup-'));

type Row = { label: string; args: string[] };
const rows: Row[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'edgefleet --help', args: [bin, '--help'] },
  { label: 'edgefleet models list', args: [bin, '--data-dir', dataDir, 'models', 'list'] },
  { label: 'edgefleet devices list', args: [bin, '--data-dir', dataDir, 'devices', 'list'] },
];

/** Runs one command: wall seconds, and its CPU seconds (user + system, from this process's children totals). */
function measure(row: Row): { wall: number; cpu: number } {
  const cpuBefore = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, row.args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${row.label} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childrenCpuSeconds() - cpuBefore };
}

const ticksPerSecond = 100;
/** cutime + cstime of this process (stat(5) fields 16 and 17): CPU of every child waited for so far. */
function childrenCpuSeconds(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  // After "pid (comm) " the fields start at number 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / ticksPerSecond;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

try {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build-main.js'), 'cli'], { cwd: root });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
  // One untimed round: warms the file cache and creates the data directory's database.
  for (const row of rows) measure(row);
  const samples = rows.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    rows.forEach((row, j) => {
      const m = measure(row);
      samples[j]?.wall.push(m.wall);
      samples[j]?.cpu.push(m.cpu);
    });
  }
  const floor = median(samples[0]?.wall ?? []);
  console.log(
    `edgefleet start-up: ${runs} interleaved rounds on ${cpus().length} cores (load ${loadavg()[0]?.toFixed(2)})`,
  );
  console.log('command                   wall median   × node -e 0   CPU median');
  rows.forEach((row, j) => {
    const wall = median(samples[j]?.wall ?? []);
    const cpu = median(samples[j]?.cpu ?? []);
    console.log(
      `${row.label.padEnd(25)} ${wall.toFixed(3).padStart(9)} s ${(wall / floor).toFixed(1).padStart(11)}× ${cpu.toFixed(2).padStart(10)} s`,
    );
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
