#!/usr/bin/env node
// A busy machine on demand, for proving the test suite holds on one (issue 20 §4): two busy loops
// (one per core here) and a loop of outgoing localhost connections, each of which takes a port
// from the kernel's ephemeral range and leaves it in TIME_WAIT — the races a test with a fixed
// port loses. Runs until SIGTERM/SIGINT, then ends the loops it started (by pid) and prints what
// it did.
//
//   node scripts/load-generator.mjs & lg=$!; .ci/run; kill $lg
//
// Options: --busy=N busy loops (default 2), --connections=N connections open at once (default 32),
// each held 0-100 ms and closed by this side first, so its port stays in TIME_WAIT for a while.
import { fork } from 'node:child_process';
import { connect, createServer } from 'node:net';

if (process.argv[2] === '--spin') spinUntilEnded();
else await generate();

/** A child's whole job: keep one core busy until it is ended, or until its parent is gone (it was
 * given to another parent), looking up every 50 ms of spinning. */
function spinUntilEnded() {
  const parent = process.ppid;
  for (;;) {
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    if (process.ppid !== parent) process.exit(0);
  }
}

async function generate() {
  const option = (name, fallback) => {
    const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
    const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
    if (!Number.isInteger(value) || value < 0) {
      console.error(`load-generator: --${name} must be a whole number, got '${arg}'`);
      process.exit(2);
    }
    return value;
  };
  const busy = option('busy', 2);
  const inFlight = option('connections', 32);

  const spinners = Array.from({ length: busy }, () =>
    fork(new URL(import.meta.url).pathname, ['--spin'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }),
  );

  // The listener takes port 0: the generator itself never depends on a fixed port being free.
  const server = createServer((socket) => socket.resume());
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  let made = 0;
  let failed = 0;
  let stopping = false;
  function connectLoop() {
    if (stopping) return;
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => setTimeout(() => socket.end(), Math.random() * 100));
    socket.on('close', () => {
      made++;
      setImmediate(connectLoop);
    });
    socket.on('error', () => {
      failed++;
    });
  }
  for (let i = 0; i < inFlight; i++) connectLoop();

  const started = Date.now();
  console.log(
    `load-generator: pid ${process.pid}, ${busy} busy loops (pids ${spinners.map((c) => c.pid).join(', ') || 'none'}), ${inFlight} connections in flight to 127.0.0.1:${port}`,
  );

  function stop() {
    if (stopping) return;
    stopping = true;
    for (const child of spinners) child.kill('SIGKILL');
    server.close();
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`load-generator: ran ${seconds} s, ${made} connections made, ${failed} failed`);
    setTimeout(() => process.exit(0), 200).unref();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
