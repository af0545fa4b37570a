import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import type { CorpusReport } from '../../../test/models/corpus-report';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The child is killed beyond this resident size, whatever V8's heap cap says (buffers live outside it). */
const RSS_LIMIT_BYTES = 1.5 * 2 ** 30;

/**
 * Runs test/models/corpus-report.ts in its own Node with a 1 GB heap and an RSS watchdog, so a decoder
 * that runs away on some input fails this test instead of exhausting the machine.
 */
function runCorpusReport(): Promise<CorpusReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=1024', '--import', 'tsx', 'test/models/corpus-report.ts'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let killedFor = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const watchdog = setInterval(() => {
      const rss = residentBytes(child.pid);
      if (rss !== undefined && rss > RSS_LIMIT_BYTES) {
        killedFor = `resident memory reached ${Math.round(rss / 2 ** 20)} MB`;
        child.kill('SIGKILL');
      }
    }, 100);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      if (code !== 0) {
        reject(
          new Error(
            `corpus report failed (${killedFor || `exit ${code ?? signal}`}):\n${stderr.slice(-4000)}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(stdout) as CorpusReport);
    });
  });
}

function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined; // exited between polls
  }
}

let report: CorpusReport;
beforeAll(async () => {
  report = await runCorpusReport();
}, 120_000);

it('covers the whole corpus in a memory-capped child', () => {
  expect(report.cases).toBeGreaterThan(1000);
  expect(report.heapLimitMb).toBeLessThan(1200);
  expect(report.maxRssMb).toBeLessThan(1024);
});

it('round-trips every model: decode → encode is field-equal, and byte-identical for (almost) all', () => {
  expect(report.decodeErrors).toEqual([]);
  expect(report.notEqual).toEqual([]);
  expect(report.fieldEqual).toBe(report.cases);
  // Bytes may legitimately differ (e.g. a writer that did not pack repeated scalars); none do today.
  expect(report.byteIdentical).toBeGreaterThanOrEqual(report.cases - 5);
  expect(report.bytesDiffer.length).toBe(report.cases - report.byteIdentical);
});

it('the copy-saving encoder writes exactly what toBinary writes, for every model', () => {
  expect(report.splitEncodingDiffers).toEqual([]);
});

it('accepts every model in validateModel, and graph helpers, shapes and summary never throw', () => {
  expect(report.validateErrors).toEqual([]);
  expect(report.crashes).toEqual([]);
});

it("never contradicts ONNX's own shape inference, and agrees on most tensors", () => {
  expect(report.shapes.pythonErrors).toBe(0);
  expect(report.shapes.contradictions).toEqual([]);
  expect(report.shapes.compared).toBeGreaterThan(2000);
  expect(report.shapes.agree / report.shapes.compared).toBeGreaterThan(0.7);
});
