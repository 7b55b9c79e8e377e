// The external observer's process (see observer.mjs): told a race's ports and its start, it looks
// at each port with the same probe at the same pace whichever side started the programs, and
// answers with the monotonic time at which each port first answered GET / with 200.
import { httpGet, sleep } from './common.mjs';

// berth's own cadence (a tenth of the time waited, 2–100 ms), from the built @berth/host.
const { paceByWaited } = await import('@berth/host');
const pace = paceByWaited();

const msSince = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** hrtime (ns) of the first fresh-connection GET / → 200 on `port`, paced by the time since `t0`. */
async function answered(port, t0, timeoutMs) {
  for (let attempt = 0; ; attempt++) {
    const ok = await httpGet(port, '/', {}, 1000).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return process.hrtime.bigint();
    const waited = msSince(t0);
    if (waited > timeoutMs) throw new Error(`port ${port} did not answer 200 within ${timeoutMs} ms`);
    await sleep(pace(attempt, waited));
  }
}

process.on('message', async ({ id, ports, t0, timeoutMs }) => {
  const start = BigInt(t0);
  const results = await Promise.allSettled(ports.map((port) => answered(port, start, timeoutMs)));
  process.send({
    id,
    at: results.map((r) => (r.status === 'fulfilled' ? String(r.value) : null)),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : [])),
  });
});

process.send({ type: 'ready' });
