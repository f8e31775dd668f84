#!/usr/bin/env node
'use strict';
// Does serving stay responsive while the model trains? The training service (dist/serve) runs in a
// child process; this process is the load generator. For each placement of the trainer (in a
// Worker, then on the main thread for comparison):
//   1. alone: training steps/s over --alone-s seconds with no requests (and the server's event-loop delay);
//   2. under load: --requests POST /predict over loopback (784 raw bytes, Fashion-MNIST test images),
//      at most --concurrency in flight, from a bounded loop on keep-alive connections (raw sockets,
//      prebuilt requests: the generator shares the machine, so it is kept cheap): p50/p99/max
//      latency, the server's main-thread event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms
//      resolution) p50/p99/max, and training steps/s during the load.
// Targets (issue 15): event-loop delay p99 < 10 ms, /predict p99 < 25 ms, steps/s under load within
// 15% of alone; all with the trainer in a Worker.
//   node bench/serve-load.js [--requests N] [--concurrency N] [--alone-s S] [--threads N] [--blas-threads N] [--only worker|main] [--json]
// Needs Fashion-MNIST (apt-get install dataset-fashion-mnist). Build first: npx tsc -p tsconfig.json
const path = require('path');
const http = require('http');
const zlib = require('zlib');
const fs = require('fs');
const { fork } = require('child_process');
const net = require('net');

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);

// ---- the server (child process) ----------------------------------------------------------------------------------------
if (args[0] === '--server') {
  const { monitorEventLoopDelay } = require('perf_hooks');
  const { startService } = require(path.join(__dirname, '..', 'dist', 'serve'));
  const trainOn = args[1];
  const threads = Number(args[2]);
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'serve-load-'));
  (async () => {
    const { service, url } = await startService({ trainOn, args: { threads, epochs: 1000 }, snapshotPath: path.join(dir, 's.pt') });
    let h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    process.on('message', async (m) => {
      if (m === 'reset') {
        h.disable();
        h = monitorEventLoopDelay({ resolution: 1 });
        h.enable();
        process.send({ reset: true });
      } else if (m === 'eld') {
        process.send({ eld: { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, mean: h.mean / 1e6 } });
      } else if (m === 'stop') {
        await service.close();
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      }
    });
    process.send({ url });
  })();
  return;
}

// ---- the load generator ----------------------------------------------------------------------------------------------------
const REQUESTS = Number(opt('--requests', 2000));
const CONCURRENCY = Number(opt('--concurrency', 8));
const ALONE_S = Number(opt('--alone-s', 8));
const THREADS = Number(opt('--threads', 1));
const ONLY = opt('--only', null);

function testImages(n) {
  const buf = zlib.gunzipSync(fs.readFileSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz'));
  return Array.from({ length: n }, (_, i) => buf.subarray(16 + 784 * i, 16 + 784 * (i + 1)));
}
const IMAGES = testImages(256);

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function request(url, method, p, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url + p);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method, agent, headers: body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const status = async (url) => JSON.parse((await request(url, 'GET', '/status')).body);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/**
 * The load: CONCURRENCY keep-alive connections, each sending its next request when the previous
 * answer is complete, until REQUESTS are answered. Raw sockets with prebuilt requests, so that the
 * generator itself costs little CPU (it shares the machine with the server).
 */
function load(url) {
  const u = new URL(url);
  const reqs = IMAGES.map((img) => Buffer.concat([Buffer.from(`POST /predict HTTP/1.1\r\nhost: ${u.host}\r\ncontent-type: application/octet-stream\r\ncontent-length: ${img.length}\r\n\r\n`), img]));
  const lat = [];
  let sent = 0, errors = 0;
  return new Promise((resolve, reject) => {
    let open = CONCURRENCY;
    for (let c = 0; c < CONCURRENCY; c++) {
      const sock = net.connect(Number(u.port), u.hostname);
      sock.setNoDelay(true);
      let buf = Buffer.alloc(0), t = 0n;
      const send = () => {
        if (sent >= REQUESTS) {
          sock.end();
          if (--open === 0) resolve({ lat, errors });
          return;
        }
        const i = sent++;
        t = process.hrtime.bigint();
        sock.write(reqs[i % reqs.length]);
      };
      sock.on('connect', send);
      sock.on('error', reject);
      sock.on('data', (d) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const len = Number(/content-length: *(\d+)/i.exec(head)[1]);
        if (buf.length < end + 4 + len) return;
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (!head.startsWith('HTTP/1.1 200')) errors++;
        buf = buf.subarray(end + 4 + len);
        send();
      });
    }
  });
}

function ask(child, m, key) {
  return new Promise((resolve) => {
    const on = (r) => {
      if (r[key] !== undefined) {
        child.off('message', on);
        resolve(r[key]);
      }
    };
    child.on('message', on);
    child.send(m);
  });
}

async function measure(trainOn) {
  // OPENBLAS_NUM_THREADS=1 as `sigprop-examples serve` sets it (OpenBLAS's thread pool is process-wide:
  // with 2 threads, a /predict matmul waits for the training Worker's); --blas-threads N to compare
  const env = { ...process.env, OPENBLAS_NUM_THREADS: opt('--blas-threads', process.env.OPENBLAS_NUM_THREADS ?? '1') };
  const child = fork(__filename, ['--server', trainOn, String(THREADS)], { env, stdio: 'inherit', execArgv: process.env.SERVE_LOAD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVE_LOAD_PROF}`] : [] });
  const url = await new Promise((resolve) => child.once('message', (m) => resolve(m.url)));
  // warm-up: the first weights, then a few seconds of training
  for (let s = await status(url); s.weights === null; s = await status(url)) await sleep(200);
  await sleep(3000);
  // 1. alone
  await ask(child, 'reset', 'reset');
  let s0 = await status(url);
  const t0 = Date.now();
  await sleep(ALONE_S * 1000);
  let s1 = await status(url);
  const alone = ((s1.step - s0.step) * 1000) / (Date.now() - t0);
  const eldAlone = await ask(child, 'eld', 'eld');
  // 2. under load
  await ask(child, 'reset', 'reset');
  s0 = await status(url);
  const t1 = Date.now();
  const { lat, errors } = await load(url);
  const loadS = (Date.now() - t1) / 1000;
  s1 = await status(url);
  const underLoad = (s1.step - s0.step) / loadS;
  const eld = await ask(child, 'eld', 'eld');
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  return {
    trainOn, stepsPerSecondAlone: +alone.toFixed(2), stepsPerSecondUnderLoad: +underLoad.toFixed(2), ratio: +(underLoad / alone).toFixed(3),
    requests: REQUESTS, concurrency: CONCURRENCY, errors, loadSeconds: +loadS.toFixed(2), requestsPerSecond: +(REQUESTS / loadS).toFixed(1),
    latencyMs: { p50: +pct(lat, 50).toFixed(2), p99: +pct(lat, 99).toFixed(2), max: +Math.max(...lat).toFixed(2) },
    eventLoopDelayMs: { p50: +eld.p50.toFixed(2), p99: +eld.p99.toFixed(2), max: +eld.max.toFixed(2) },
    eventLoopDelayAloneMs: { p99: +eldAlone.p99.toFixed(2), max: +eldAlone.max.toFixed(2) },
  };
}

(async () => {
  const rows = [];
  for (const where of ['worker', 'main']) if (ONLY === null || ONLY === where) rows.push(await measure(where));
  agent.destroy();
  if (args.includes('--json')) {
    console.log(JSON.stringify({ threads: THREADS, blasThreads: opt('--blas-threads', process.env.OPENBLAS_NUM_THREADS ?? '1'), rows }));
    return;
  }
  console.log(`training service (ex4, mlp 256, signal 2 ch, batch 64, ${THREADS} libtorch thread(s)); ${REQUESTS} /predict, concurrency ${CONCURRENCY}`);
  for (const r of rows) {
    console.log(`  trainer on ${r.trainOn === 'worker' ? 'a Worker' : 'the main thread'}:`);
    console.log(`    steps/s alone ${r.stepsPerSecondAlone}, under load ${r.stepsPerSecondUnderLoad} (x${r.ratio})`);
    console.log(`    /predict p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms; ${r.requestsPerSecond} req/s; ${r.errors} errors`);
    console.log(`    event-loop delay under load p50 ${r.eventLoopDelayMs.p50} ms, p99 ${r.eventLoopDelayMs.p99} ms, max ${r.eventLoopDelayMs.max} ms (alone: p99 ${r.eventLoopDelayAloneMs.p99} ms)`);
  }
})();
