#!/usr/bin/env node
'use strict';
// sigprop-run: torchrun for Node. Starts COMMAND once per local rank with torch.distributed's
// environment (RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT);
// a .js/.mjs/.cjs COMMAND runs with this Node. SIGINT/SIGTERM/SIGHUP are forwarded to every rank;
// if one rank fails, the others are stopped and sigprop-run exits non-zero (that rank's code).
//   sigprop-run --nproc-per-node 2 train.js --epochs 3
//   sigprop-run --nnodes 2 --node-rank 0 --nproc-per-node 4 --master-addr 10.0.0.1 --master-port 29500 sigprop-examples ex4 --distributed
const { spawn } = require('child_process');
const net = require('net');

const USAGE = `usage: sigprop-run [--nproc-per-node N] [--nnodes N] [--node-rank R] [--master-addr ADDR]
                   [--master-port PORT] [--standalone] [--kill-timeout SECONDS] COMMAND [ARGS...]

Starts COMMAND once per local rank (torchrun's flags; a .js COMMAND runs with this Node).
  --nproc-per-node N   ranks on this node (default 1)
  --nnodes N           nodes in the job (default 1)
  --node-rank R        this node's index, 0..nnodes-1 (default 0)
  --master-addr ADDR   rank 0's host (default 127.0.0.1)
  --master-port PORT   rank 0's store port (default 29500)
  --standalone         one node on a free port of 127.0.0.1 (with --nnodes 1)
  --kill-timeout S     seconds a stopped rank has after SIGTERM before SIGKILL (default 10)
Each rank gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT
(and OMP_NUM_THREADS=1 when unset and more than one rank runs here).`;

class UsageError extends Error {}

function parse(argv) {
  const o = { nprocPerNode: 1, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 29500, standalone: false, killTimeout: 10 };
  const ints = { 'nproc-per-node': 'nprocPerNode', nnodes: 'nnodes', 'node-rank': 'nodeRank', 'master-port': 'masterPort' };
  let i = 0;
  for (; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') { i++; break; }
    if (!tok.startsWith('--')) break;
    let [name, value] = tok.slice(2).split(/=(.*)/s, 2);
    name = name.replace(/_/g, '-');
    if (name === 'help' || name === 'h') { console.log(USAGE); process.exit(0); }
    if (name === 'standalone') { o.standalone = true; continue; }
    const takes = name in ints || name === 'master-addr' || name === 'kill-timeout';
    if (!takes) throw new UsageError(`unknown flag --${name}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} expects a value`);
      value = argv[++i];
    }
    if (name === 'master-addr') o.masterAddr = value;
    else if (name === 'kill-timeout') {
      o.killTimeout = Number(value);
      if (!(o.killTimeout >= 0)) throw new UsageError(`--kill-timeout must be a number of seconds, got '${value}'`);
    } else {
      if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer, got '${value}'`);
      o[ints[name]] = Number(value);
    }
  }
  o.command = argv[i];
  o.args = argv.slice(i + 1);
  if (!o.command) throw new UsageError('missing COMMAND');
  if (o.nprocPerNode < 1) throw new UsageError('--nproc-per-node must be at least 1');
  if (o.nnodes < 1) throw new UsageError('--nnodes must be at least 1');
  if (o.nodeRank >= o.nnodes) throw new UsageError(`--node-rank ${o.nodeRank} is outside 0..${o.nnodes - 1}`);
  if (o.masterPort < 1 || o.masterPort > 65535) throw new UsageError(`--master-port must be in 1..65535, got ${o.masterPort}`);
  if (o.standalone && o.nnodes !== 1) throw new UsageError('--standalone is for one node (--nnodes 1)');
  return o;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function main() {
  let o;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`sigprop-run: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (o.standalone) {
    o.masterAddr = '127.0.0.1';
    o.masterPort = await freePort();
  }
  const worldSize = o.nnodes * o.nprocPerNode;
  const isJs = /\.(c|m)?js$/.test(o.command);
  const children = [];
  let failed = null; // { rank, code, signal }
  let stopping = false;
  let killTimer = null;
  let exited = 0;

  const stopAll = (signal) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    if (!killTimer) {
      killTimer = setTimeout(() => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, o.killTimeout * 1000);
      killTimer.unref();
    }
  };
  let forwarded = null;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      forwarded = forwarded || sig;
      stopping = true;
      stopAll(sig);
    });
  }

  const finish = () => {
    if (killTimer) clearTimeout(killTimer);
    if (failed) {
      const how = failed.signal ? `was killed by ${failed.signal}` : `exited with code ${failed.code}`;
      process.stderr.write(`sigprop-run: rank ${failed.rank} ${how}${stopping && !forwarded ? '; the other ranks were stopped' : ''}\n`);
      process.exitCode = failed.code > 0 ? failed.code : failed.signal ? 128 + (require('os').constants.signals[failed.signal] || 1) : 1;
    }
    if (forwarded) process.exitCode = 128 + require('os').constants.signals[forwarded];
  };

  for (let local = 0; local < o.nprocPerNode; local++) {
    const rank = o.nodeRank * o.nprocPerNode + local;
    const env = {
      ...process.env,
      RANK: String(rank), LOCAL_RANK: String(local), WORLD_SIZE: String(worldSize), LOCAL_WORLD_SIZE: String(o.nprocPerNode),
      GROUP_RANK: String(o.nodeRank), ROLE_RANK: String(rank), ROLE_WORLD_SIZE: String(worldSize),
      MASTER_ADDR: o.masterAddr, MASTER_PORT: String(o.masterPort),
    };
    if (o.nprocPerNode > 1 && env.OMP_NUM_THREADS === undefined) env.OMP_NUM_THREADS = '1';
    const [file, args] = isJs ? [process.execPath, [o.command, ...o.args]] : [o.command, o.args];
    const child = spawn(file, args, { env, stdio: 'inherit' });
    children.push(child);
    let counted = false;
    const ended = () => {
      if (counted) return;
      counted = true;
      if (++exited === o.nprocPerNode) finish();
    };
    child.on('error', (e) => {
      process.stderr.write(`sigprop-run: could not start rank ${rank} (${o.command}): ${e.message}\n`);
      if (!failed) failed = { rank, code: 127, signal: null };
      stopping = true;
      stopAll('SIGTERM');
      ended();
    });
    child.on('exit', (code, signal) => {
      if ((code !== 0 || signal) && !failed && !forwarded) {
        failed = { rank, code: code ?? 0, signal };
        stopping = true;
        stopAll('SIGTERM');
      }
      ended();
    });
  }
}

main().catch((e) => {
  process.stderr.write(`sigprop-run: ${e.stack || e}\n`);
  process.exit(1);
});
