// Scenario 4: many tiny process instances (busybox httpd, ~0.3 MB each) all running; the server's
// RSS; the resource sampler's CPU at a 2 s tick (server CPU time with the sampler on minus off,
// alternating windows); GET /api/v1/instances latency. Then `afterwards(server)` (scenario 6) restarts
// berth with the fleet still running.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berthHome, busyboxTemplate, crashBerth, putTemplate, startBerth } from '../lib/berth.mjs';
import {
  cpuMs,
  log,
  now,
  pool,
  processesStartedUnder,
  round,
  rssBytes,
  sleep,
  summary,
  tempDir,
} from '../lib/common.mjs';

// Below the kernel's ephemeral range (bench/README.md, "Ports").
export const FLEET_RANGE = [16000, 17999];
const MB = 1024 * 1024;

export async function manyInstances({ count, listRequests, samplerWindowMs, samplerRounds, afterwards }) {
  const home = await berthHome('s4');
  const www = await tempDir('www');
  await writeFile(join(www, 'index.html'), 'ok\n');
  let server = await startBerth(home, { shutdown: 'leave' });
  const rss = rssWatcher(() => server.pid);
  const rows = [];
  try {
    // The default restart policy (on-failure): a fleet is run the way an operator would run it.
    const { restart, ...tiny } = busyboxTemplate('tiny', www, FLEET_RANGE);
    await putTemplate(server, tiny);
    const t = now();
    await pool(
      Array.from({ length: count }, (_, i) => i),
      16,
      (i) => server.api('POST', '/instances', { template: 'tiny', name: `tiny-${i}` }),
    );
    const createdMs = now() - t;
    const retried = await allRunning(server, count, 60_000 + count * 300);
    const allRunningMs = now() - t;
    const pids = await processesStartedUnder(home);
    let fleetRss = 0;
    for (const pid of pids) fleetRss += await rssBytes(pid).catch(() => 0);
    log(
      `${count} instances running after ${Math.round(allRunningMs)} ms (${pids.length} processes, ${round(fleetRss / MB, 1)} MB RSS in total)`,
    );
    rows.push({
      scenario: `${count} tiny process instances`,
      metric: 'all running (create → every instance running)',
      unit: 'ms',
      berth: summary([allRunningMs]),
      measured: `${pids.length}/${count} running`,
      target: 'all running',
      pass: pids.length >= count,
      notes: [
        `${retried.length} instance(s) re-created after \`bind: Address already in use\`${retried.length ? ` (${retried.slice(0, 5).join(', ')}${retried.length > 5 ? ', …' : ''})` : ''} — see bench/README.md, "ephemeral ports"`,
        `program: busybox httpd (static, ${round(fleetRss / MB / Math.max(1, pids.length), 2)} MB RSS each, ${round(fleetRss / MB)} MB for the fleet); ${count} creates answered in ${Math.round(createdMs)} ms (16 in flight), ${pids.length} processes found running`,
      ],
    });

    // GET /instances latency, sequential requests.
    const lat = [];
    for (let i = 0; i < listRequests; i++) {
      const t1 = now();
      const list = await server.api('GET', '/instances');
      lat.push(now() - t1);
      if (list.length !== count) throw new Error(`list returned ${list.length} instances`);
    }
    const ls = summary(lat);
    rows.push({
      scenario: `${count} tiny process instances`,
      metric: `GET /api/v1/instances p99 (${listRequests} requests)`,
      unit: 'ms',
      berth: ls,
      measured: `p99 ${ls.p99} ms`,
      target: '≤ 25 ms',
      pass: ls.p99 <= 25,
      notes: [`p50 ${ls.median} ms, p99 ${ls.p99} ms, max ${ls.max} ms`],
    });

    // Sampler CPU: alternate windows with the sampler off and on (2 s tick).
    const off = [];
    const on = [];
    let builtIn = false;
    let passes = 0;
    let passMs = 0;
    await server.ask({ type: 'sampler', on: true, intervalMs: 2000 });
    await sleep(2500); // first pass: data-directory sizes are walked once and cached for 60 s
    for (let r = 0; r < samplerRounds; r++) {
      for (const state of r % 2 === 0 ? [false, true] : [true, false]) {
        const reply = await server.ask({ type: 'sampler', on: state, intervalMs: 2000 });
        builtIn = reply.builtIn;
        await server.ask({ type: 'stats' });
        const c0 = await cpuMs(server.pid);
        const t0 = now();
        await sleep(samplerWindowMs);
        const share = ((await cpuMs(server.pid)) - c0) / (now() - t0);
        const st = await server.ask({ type: 'stats' });
        (state ? on : off).push(share * 100);
        if (state) {
          passes += st.passes;
          passMs += st.passMs;
        }
      }
    }
    await server.ask({ type: 'sampler', on: false });
    const offS = summary(off);
    const onS = summary(on);
    const delta = summary(on.map((x, i) => x - (off[i] ?? offS.median)));
    rows.push({
      scenario: `${count} tiny process instances`,
      metric: 'resource sampler CPU at a 2 s tick (server CPU, sampler on − off)',
      unit: '% of a core',
      berth: delta,
      baselines: { 'server, sampler off': offS, 'server, sampler on': onS },
      measured: `${delta.median} %`,
      target: '≤ 5 %',
      pass: delta.median <= 5,
      notes: [
        `${samplerRounds} × ${samplerWindowMs / 1000} s windows each way; ${passes} passes took ${passes ? round(passMs / passes, 1) : '—'} ms of wall time each`,
        builtIn
          ? "the server's own sampler, stopped and started over the bench's IPC channel"
          : "the server does not run a sampler yet: core's ResourceSampler (with host's ProcHostStats and DuDiskUsage) is started inside the bench's server process",
        `idle server with ${count} running instances (reconciler tick 1 s): ${offS.median} % of a core`,
      ],
    });
    rows.push({
      scenario: `${count} tiny process instances`,
      metric: 'server RSS (max seen while creating, listing, sampling)',
      unit: 'MB',
      berth: summary([rss.max() / MB]),
      measured: `${round(rss.max() / MB, 1)} MB`,
      target: '≤ 150 MB',
      pass: rss.max() / MB <= 150,
      notes: [`after everything above: ${round((await rssBytes(server.pid)) / MB, 1)} MB`],
    });

    if (afterwards) {
      rss.stop();
      const next = await afterwards(server);
      rows.push(...next.rows);
      server = next.server;
    }
    return rows;
  } finally {
    rss.stop();
    // The fleet dies with the home's cleanup (by pid, found by its BERTH_LOG_DIR marker).
    await crashBerth(server);
  }
}

function rssWatcher(pidOf) {
  let max = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      max = Math.max(max, await rssBytes(pidOf()));
    } catch {}
    busy = false;
  }, 200);
  return { max: () => max, stop: () => clearInterval(timer) };
}

/**
 * Waits until `count` instances run. An instance whose deploy failed (berth does not retry a failed
 * deploy by itself) is removed and created again, as an operator would; the names are returned.
 */
async function allRunning(server, count, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const retried = [];
  for (;;) {
    const list = await server.api('GET', '/instances');
    if (list.length === count && list.every((i) => i.status === 'running')) return retried;
    const failed = list.filter((i) => i.status === 'error' && i.nextRetryAt === null);
    for (const i of failed) {
      if (retried.filter((n) => n === i.name).length >= 3)
        throw new Error(`${i.name} failed 3 times: ${i.errorMessage}`);
      log(`retrying ${i.name}: ${i.errorMessage?.split('\n').pop()}`);
      retried.push(i.name);
      // Its sticky port is held for up to 60 s (TIME-WAIT); a new instance gets a new port.
      await server.api('DELETE', `/instances/${i.id}`);
      await server.api('POST', '/instances', { template: i.template, name: i.name });
    }
    if (Date.now() > deadline) {
      const counts = {};
      for (const i of list) counts[i.status] = (counts[i.status] ?? 0) + 1;
      throw new Error(`instances did not settle within ${timeoutMs} ms: ${JSON.stringify(counts)}`);
    }
    await sleep(200);
  }
}
