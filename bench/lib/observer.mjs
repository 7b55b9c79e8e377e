// One external observer for every side of a race (issue 20 §1: "same probe, same cadence, or one
// external observer for both"). A process of its own, forked once per scenario, so its probing
// costs the same CPU whichever side is racing and never shares an event loop with the side that
// spawns (the bench for a direct spawn, berth's server, PM2's daemon). Each side starts its clock
// with `process.hrtime.bigint()` before its first spawn request and hands the observer its ports
// as soon as it knows them; the observer looks at every port with a fresh-connection
// GET / → 200 at berth's pace (`paceByWaited`, counted from that same start) and the side's time
// is the monotonic clock (shared by both processes) at the last port's first 200.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCleanup, signal } from './common.mjs';

const ENTRY = fileURLToPath(new URL('./observer-process.mjs', import.meta.url));

export async function startObserver() {
  const child = fork(ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signal(child.pid, 'SIGKILL');
      await exited;
    }
  };
  const off = onCleanup(stop);
  const pending = new Map();
  let next = 0;
  await new Promise((resolve, reject) => {
    child.once('message', (m) =>
      m.type === 'ready' ? resolve() : reject(new Error('observer did not start')),
    );
    exited.then(() => reject(new Error('observer exited before it started')));
  });
  child.on('message', (m) => pending.get(m.id)?.(m));
  exited.then(() => {
    for (const settle of pending.values()) settle({ errors: ['observer exited'] });
  });
  return {
    /**
     * Resolves with the ms from `t0` (a `process.hrtime.bigint()`) to the last of `ports` answering
     * 200, and each port's own ms; rejects naming the ports that never answered.
     */
    watch(ports, t0, timeoutMs = 30_000) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, (m) => {
          pending.delete(id);
          if (m.errors.length > 0) return reject(new Error(m.errors.join('; ')));
          const each = m.at.map((at) => Number(BigInt(at) - t0) / 1e6);
          resolve({ ms: Math.max(...each), each });
        });
        child.send({ id, ports, t0: String(t0), timeoutMs });
      });
    },
    async stop() {
      off();
      await stop();
    },
  };
}
