/**
 * The Node benchmark runner: a self-contained CommonJS script (no EdgeFleet code, only `onnxruntime-node`), run
 * as `node bench-runner.cjs config.json` — locally in a child process, and uploaded as is to devices that have
 * Node. Protocol: child-protocol.ts. Kept as text so the bundled app and the upload carry the same bytes.
 *
 * Where it finds onnxruntime-node: `config.ortModule`, an absolute package path or a module name resolved by
 * Node's usual rules plus NODE_PATH (a device gets it with `npm install onnxruntime-node` in
 * `<deployRoot>/runtime`, which the remote benchmark puts on NODE_PATH).
 *
 * Written for Node ≥ 16 (devices run older Node than the app).
 */
export const nodeRunnerFileName = 'bench-runner.cjs';

export const nodeRunnerSource = String.raw`'use strict';
// EdgeFleet benchmark runner (Node). Usage: node bench-runner.cjs config.json
const fs = require('fs');
const { performance } = require('perf_hooks');
const MARK = '@@edgefleet-bench@@';

function emit(obj) {
  process.stdout.write('\n' + MARK + JSON.stringify(obj) + '\n');
}
function procStatus(key) {
  try {
    const m = new RegExp('^' + key + ':\\s+(\\d+) kB', 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch (e) {
    return null;
  }
}
function message(err) {
  const text = err && err.message ? err.message : String(err);
  return text.slice(0, 4000);
}
function fail(stage, err) {
  emit({ ok: false, stage: stage, message: message(err) });
  process.exitCode = 2;
}

// Seeded PRNG (mulberry32): the same seed gives the same inputs on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}
const arrays = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
  uint64: BigUint64Array, bool: Uint8Array,
};
function randomTensor(ort, spec, next) {
  const n = spec.dims.reduce(function (a, b) { return a * b; }, 1);
  const Ctor = arrays[spec.dtype];
  if (!Ctor) throw new Error('input ' + spec.name + ': unsupported dtype ' + spec.dtype);
  const data = new Ctor(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    switch (spec.dtype) {
      case 'float32': case 'float64': data[i] = r * 2 - 1; break;
      case 'float16': data[i] = toHalf(r * 2 - 1); break;
      case 'int8': data[i] = Math.floor(r * 256) - 128; break;
      case 'uint8': data[i] = Math.floor(r * 256); break;
      case 'int64': case 'uint64': data[i] = BigInt(Math.floor(r * 2)); break;
      default: data[i] = Math.floor(r * 2);
    }
  }
  return new ort.Tensor(spec.dtype, data, spec.dims);
}
function sampleFeeds(ort, samples) {
  const bytes = fs.readFileSync(samples.path);
  return samples.items.map(function (item) {
    const feeds = {};
    for (const t of item) {
      const Ctor = arrays[t.dtype];
      const copy = new Uint8Array(t.byteLength);
      copy.set(bytes.subarray(t.offset, t.offset + t.byteLength));
      feeds[t.name] = new ort.Tensor(t.dtype, new Ctor(copy.buffer), t.dims);
    }
    return feeds;
  });
}

async function main() {
  let cfg;
  try {
    cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  } catch (e) {
    return fail('config', e);
  }
  let ort;
  try {
    ort = require(cfg.ortModule || 'onnxruntime-node');
  } catch (e) {
    emit({ ok: false, stage: 'runtime', message: 'cannot load onnxruntime-node (' + message(e).split('\n')[0] + ')' });
    process.exitCode = 3;
    return;
  }
  let ortVersion = (ort.env && ort.env.versions && (ort.env.versions.node || ort.env.versions.common)) || 'unknown';
  const baselineRssBytes = procStatus('VmRSS');
  const options = {
    intraOpNumThreads: cfg.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: cfg.optimizationLevel,
    logSeverityLevel: 3,
  };
  if (cfg.optimizedModelPath) options.optimizedModelFilePath = cfg.optimizedModelPath;
  if (cfg.disabledOptimizers && cfg.disabledOptimizers.length > 0) {
    options.extra = { optimization: { disable_specified_optimizers: cfg.disabledOptimizers.join(',') } };
  }
  if (cfg.mode === 'rounds') return rounds(ort, cfg, options, ortVersion, baselineRssBytes);
  let session;
  const t0 = performance.now();
  try {
    session = await ort.InferenceSession.create(cfg.modelPath, options);
  } catch (e) {
    return fail('load', e);
  }
  const loadMs = performance.now() - t0;
  const base = { ok: true, mode: cfg.mode, ortVersion: ortVersion, loadMs: loadMs, warmupMs: null, latenciesMs: [], totalMs: 0 };
  if (cfg.mode === 'optimize') {
    emit(Object.assign(base, { baselineRssBytes: baselineRssBytes, peakRssBytes: procStatus('VmHWM') }));
    return;
  }
  let feedList;
  try {
    if (cfg.samples) {
      feedList = sampleFeeds(ort, cfg.samples);
    } else {
      const next = rng(cfg.seed);
      const feeds = {};
      for (const spec of cfg.inputs) feeds[spec.name] = randomTensor(ort, spec, next);
      feedList = [feeds];
    }
  } catch (e) {
    return fail('inputs', e);
  }
  if (cfg.mode === 'shapes') {
    let out;
    try {
      out = await session.run(feedList[0]);
    } catch (e) {
      return fail('run', e);
    }
    const outputs = {};
    for (const name of Object.keys(out)) outputs[name] = { dtype: out[name].type, dims: Array.from(out[name].dims) };
    emit(Object.assign(base, { baselineRssBytes: baselineRssBytes, peakRssBytes: procStatus('VmHWM'), outputs: outputs }));
    return;
  }
  const latencies = [];
  let warmupMs = 0;
  let totalMs = 0;
  try {
    const w0 = performance.now();
    for (let i = 0; i < cfg.warmupIterations; i++) await session.run(feedList[i % feedList.length]);
    warmupMs = performance.now() - w0;
    const stop = cfg.stop;
    const start = performance.now();
    for (let i = 0; ; i++) {
      const feeds = feedList[i % feedList.length];
      const s = performance.now();
      await session.run(feeds);
      const e = performance.now();
      latencies.push(Math.round((e - s) * 10000) / 10000);
      const n = i + 1;
      if (stop.kind === 'iterations' ? n >= stop.count : e - start >= stop.ms && n >= stop.minIterations) break;
      if (n >= cfg.maxIterations) break;
    }
    totalMs = performance.now() - start;
  } catch (e) {
    return fail('run', e);
  }
  emit({
    ok: true, mode: 'bench', ortVersion: ortVersion, loadMs: loadMs, warmupMs: warmupMs, latenciesMs: latencies,
    totalMs: totalMs, baselineRssBytes: baselineRssBytes, peakRssBytes: procStatus('VmHWM'),
  });
}

// Several models timed in turns (round-robin windows) in one process, so that all of them see the same
// background load; the parent takes each model's quietest window.
async function rounds(ort, cfg, options, ortVersion, baselineRssBytes) {
  const entries = [];
  try {
    for (const m of cfg.models) {
      const session = await ort.InferenceSession.create(m.modelPath, options);
      const next = rng(cfg.seed);
      const feeds = {};
      for (const spec of m.inputs) feeds[spec.name] = randomTensor(ort, spec, next);
      for (let i = 0; i < cfg.warmupIterations; i++) await session.run(feeds);
      entries.push({ id: m.id, session: session, feeds: feeds, windows: [] });
    }
  } catch (e) {
    return fail('load', e);
  }
  const t0 = performance.now();
  try {
    for (let r = 0; r < cfg.rounds; r++) {
      for (const entry of entries) {
        const lat = [];
        const start = performance.now();
        for (let i = 0; ; i++) {
          const s = performance.now();
          await entry.session.run(entry.feeds);
          const e = performance.now();
          lat.push(Math.round((e - s) * 10000) / 10000);
          if ((e - start >= cfg.stop.ms && i + 1 >= cfg.stop.minIterations) || i + 1 >= cfg.maxIterations) break;
        }
        entry.windows.push(lat);
      }
    }
  } catch (e) {
    return fail('run', e);
  }
  const windows = {};
  for (const entry of entries) windows[entry.id] = entry.windows;
  emit({
    ok: true, mode: 'rounds', ortVersion: ortVersion, loadMs: 0, warmupMs: null, latenciesMs: [],
    totalMs: performance.now() - t0, baselineRssBytes: baselineRssBytes, peakRssBytes: procStatus('VmHWM'),
    windows: windows,
  });
}

main().catch(function (e) { fail('run', e); });
`;
