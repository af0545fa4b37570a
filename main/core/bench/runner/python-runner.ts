/**
 * The Python benchmark runner for devices with `python3` + `onnxruntime` (the usual case on Raspberry Pi OS,
 * Jetson and Yocto images). Same config and output protocol as the Node runner (child-protocol.ts); mode
 * "bench" only. Needs numpy, which onnxruntime itself depends on. Python ≥ 3.7.
 */
export const pythonRunnerFileName = 'bench_runner.py';

export const pythonRunnerSource = String.raw`# EdgeFleet benchmark runner (Python). Usage: python3 bench_runner.py config.json
import json
import sys
import time

MARK = '@@edgefleet-bench@@'


def emit(obj):
    sys.stdout.write('\n' + MARK + json.dumps(obj) + '\n')
    sys.stdout.flush()


def proc_status(key):
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1]) * 1024
    except Exception:
        pass
    return None


def fail(stage, err, code=2):
    emit({'ok': False, 'stage': stage, 'message': str(err)[:4000]})
    return code


def main():
    try:
        with open(sys.argv[1]) as f:
            cfg = json.load(f)
    except Exception as e:
        return fail('config', e)
    try:
        import numpy as np
        import onnxruntime as ort
    except Exception as e:
        return fail('runtime', 'cannot import onnxruntime (%s)' % e, 3)
    baseline = proc_status('VmRSS')
    so = ort.SessionOptions()
    so.intra_op_num_threads = cfg['threads']
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    levels = {
        'disabled': ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
        'basic': ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
        'extended': ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        'all': ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
    }
    so.graph_optimization_level = levels[cfg['optimizationLevel']]
    so.log_severity_level = 3
    t0 = time.perf_counter()
    try:
        sess = ort.InferenceSession(cfg['modelPath'], so, providers=['CPUExecutionProvider'])
    except Exception as e:
        return fail('load', e)
    load_ms = (time.perf_counter() - t0) * 1000.0

    dtypes = {
        'float32': np.float32, 'float64': np.float64, 'float16': np.float16, 'int8': np.int8, 'uint8': np.uint8,
        'int16': np.int16, 'uint16': np.uint16, 'int32': np.int32, 'uint32': np.uint32, 'int64': np.int64,
        'uint64': np.uint64, 'bool': np.bool_,
    }
    try:
        if cfg.get('samples'):
            with open(cfg['samples']['path'], 'rb') as f:
                blob = f.read()
            feed_list = []
            for item in cfg['samples']['items']:
                feeds = {}
                for t in item:
                    raw = blob[t['offset']:t['offset'] + t['byteLength']]
                    feeds[t['name']] = np.frombuffer(raw, dtype=dtypes[t['dtype']]).reshape(t['dims']).copy()
                feed_list.append(feeds)
        else:
            rng = np.random.default_rng(cfg['seed'])
            feeds = {}
            for spec in cfg['inputs']:
                dt = spec['dtype']
                shape = tuple(spec['dims'])
                if dt in ('float32', 'float64', 'float16'):
                    feeds[spec['name']] = (rng.random(shape) * 2 - 1).astype(dtypes[dt])
                elif dt == 'int8':
                    feeds[spec['name']] = rng.integers(-128, 128, shape).astype(np.int8)
                elif dt == 'uint8':
                    feeds[spec['name']] = rng.integers(0, 256, shape).astype(np.uint8)
                else:
                    feeds[spec['name']] = rng.integers(0, 2, shape).astype(dtypes[dt])
            feed_list = [feeds]
    except Exception as e:
        return fail('inputs', e)

    latencies = []
    try:
        w0 = time.perf_counter()
        for i in range(cfg['warmupIterations']):
            sess.run(None, feed_list[i % len(feed_list)])
        warmup_ms = (time.perf_counter() - w0) * 1000.0
        stop = cfg['stop']
        start = time.perf_counter()
        i = 0
        while True:
            feeds = feed_list[i % len(feed_list)]
            s = time.perf_counter()
            sess.run(None, feeds)
            e = time.perf_counter()
            latencies.append(round((e - s) * 1000.0, 4))
            i += 1
            if stop['kind'] == 'iterations':
                if i >= stop['count']:
                    break
            elif (e - start) * 1000.0 >= stop['ms'] and i >= stop['minIterations']:
                break
            if i >= cfg['maxIterations']:
                break
        total_ms = (time.perf_counter() - start) * 1000.0
    except Exception as e:
        return fail('run', e)
    emit({
        'ok': True, 'mode': 'bench', 'ortVersion': ort.__version__, 'loadMs': load_ms, 'warmupMs': warmup_ms,
        'latenciesMs': latencies, 'totalMs': total_ms, 'baselineRssBytes': baseline,
        'peakRssBytes': proc_status('VmHWM'),
    })
    return 0


if __name__ == '__main__':
    sys.exit(main())
`;
