// A TCP proxy with a one-way delay and an optional rate limit, for bench/upload-paths.ts:
//   node bench/latency-proxy.mjs <targetPort> <oneWayDelayMs> [mbitPerSecond]
// It prints the port it listens on (127.0.0.1). Bytes leave in the order they came, each direction queued on
// its own: the path a device behind a WAN link would be.
import { createConnection, createServer } from 'node:net';

const [targetPort, delayMs, mbit = 0] = process.argv.slice(2).map(Number);
const bytesPerMs = mbit > 0 ? (mbit * 1e6) / 8 / 1000 : 0;

function relay(from, to) {
  const queue = [];
  let freeAt = 0;
  let timer = null;
  let ended = false;
  const pump = () => {
    timer = null;
    const now = performance.now();
    while (queue.length > 0 && queue[0].at <= now) to.write(queue.shift().chunk);
    if (queue.length > 0) timer = setTimeout(pump, queue[0].at - now);
    else if (ended) to.end();
  };
  from.on('data', (chunk) => {
    const now = performance.now();
    if (bytesPerMs > 0) freeAt = Math.max(freeAt, now) + chunk.length / bytesPerMs;
    queue.push({ chunk, at: (bytesPerMs > 0 ? freeAt : now) + delayMs });
    timer ??= setTimeout(pump, queue[0].at - now);
  });
  from.on('end', () => {
    ended = true;
    if (timer === null) pump();
  });
  from.on('error', () => to.destroy());
}

const server = createServer((client) => {
  const upstream = createConnection({ host: '127.0.0.1', port: targetPort, noDelay: true });
  client.setNoDelay(true);
  relay(client, upstream);
  relay(upstream, client);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
