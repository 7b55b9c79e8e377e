// Scenario 4: many tiny process instances (busybox httpd, ~0.3 MB each) all running; the server's
// RSS; the resource sampler's CPU at a 2 s tick (server CPU time with the sampler on minus off,
// alternating windows); GET /api/v1/instances latency. Then `afterwards(server)` (scenario 6) restarts
// berth with the fleet still running. The 10,000-instance run (ten-thousand.mjs) is this scenario
// with other sizes, ranges and targets (`fleet`).
import { readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
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
  TOKEN,
  tempDir,
} from '../lib/common.mjs';

// Below the kernel's ephemeral range (bench/README.md, "Ports").
export const FLEET_RANGE = [16000, 17999];
const MB = 1024 * 1024;

/** Scenario 4's fleet: its port range, the server's environment, its targets, the sampler's tick. */
export const MANY_FLEET = {
  range: FLEET_RANGE,
  serverEnv: {},
  samplerTickMs: 2000,
  targets: { rssMB: 120, listP99Ms: 25, samplerPct: 5 },
  homePrefix: 's4',
};

export async function manyInstances({
  count,
  listRequests,
  samplerWindowMs,
  samplerRounds,
  afterwards,
  fleet = MANY_FLEET,
}) {
  const { targets, samplerTickMs: tick } = fleet;
  const home = await berthHome(fleet.homePrefix);
  const www = await tempDir('www');
  await writeFile(join(www, 'index.html'), 'ok\n');
  let server = await startBerth(home, { shutdown: 'leave', env: fleet.serverEnv });
  const rss = rssWatcher(() => server.pid);
  const rows = [];
  try {
    // The default restart policy (on-failure): a fleet is run the way an operator would run it.
    const { restart, ...tiny } = busyboxTemplate('tiny', www, fleet.range);
    await putTemplate(server, tiny);
    const t = now();
    let created = 0;
    const progress = setInterval(
      () => log(`… ${created}/${count} created after ${Math.round((now() - t) / 1000)} s`),
      count > 2000 ? 30_000 : 3_600_000,
    );
    try {
      await pool(
        Array.from({ length: count }, (_, i) => i),
        16,
        async (i) => {
          await server.api('POST', '/instances', { template: 'tiny', name: `tiny-${i}` });
          created++;
        },
      );
    } finally {
      clearInterval(progress);
    }
    const createdMs = now() - t;
    rss.phase('waiting for all running');
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

    // GET /instances latency, sequential requests: request sent → last byte of the body read (the
    // bench's JSON.parse of a 10,000-instance list is the client's cost, not the server's; the
    // first and the last body are parsed and counted).
    rss.phase('listing');
    const lat = [];
    let bytes = 0;
    for (let i = 0; i < listRequests; i++) {
      const t1 = now();
      const body = await rawGet(server.apiPort, '/api/v1/instances');
      lat.push(now() - t1);
      bytes = body.length;
      if (i === 0 || i === listRequests - 1) {
        const list = JSON.parse(body.toString());
        if (list.length !== count) throw new Error(`list returned ${list.length} instances`);
      }
    }
    const ls = summary(lat);
    rows.push({
      scenario: `${count} tiny process instances`,
      metric: `GET /api/v1/instances p99 (${listRequests} requests)`,
      unit: 'ms',
      berth: ls,
      measured: `p99 ${ls.p99} ms`,
      target: `≤ ${targets.listP99Ms} ms`,
      pass: ls.p99 <= targets.listP99Ms,
      notes: [
        `p50 ${ls.median} ms, p99 ${ls.p99} ms, max ${ls.max} ms; body ${round(bytes / MB, 2)} MB; request → last byte, one at a time, a fresh connection each`,
      ],
    });

    // Sampler CPU: alternate windows with the sampler off and on (its tick: `tick`).
    const off = [];
    const on = [];
    let builtIn = false;
    let passes = 0;
    let passMs = 0;
    rss.phase('sampling');
    await server.ask({ type: 'sampler', on: true, intervalMs: tick });
    await sleep(tick + 500); // first pass: data-directory sizes are walked once and cached for 60 s
    for (let r = 0; r < samplerRounds; r++) {
      for (const state of r % 2 === 0 ? [false, true] : [true, false]) {
        const reply = await server.ask({ type: 'sampler', on: state, intervalMs: tick });
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
      metric: `resource sampler CPU at a ${tick / 1000} s tick (server CPU, sampler on − off)`,
      unit: '% of a core',
      berth: delta,
      baselines: { 'server, sampler off': offS, 'server, sampler on': onS },
      measured: `${delta.median} %`,
      target: `≤ ${targets.samplerPct} %`,
      pass: delta.median <= targets.samplerPct,
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
      target: `≤ ${targets.rssMB} MB`,
      pass: rss.max() / MB <= targets.rssMB,
      notes: [
        `peak while ${rss.maxIn()}; peaks by phase (MB): ${rss.peaks()}`,
        `after everything above: ${round((await rssBytes(server.pid)) / MB, 1)} MB; the server held ${await openFiles(server.pid)} open files`,
      ],
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

/** How many file descriptors a process holds. */
async function openFiles(pid) {
  return (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
}

/** GET with the admin token and a fresh connection; resolves with the raw body once it is all read. */
function rawGet(port, path) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(Buffer.concat(chunks))
            : reject(new Error(`GET ${path} → ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The server's RSS every 200 ms: the most seen, and the phase it was seen in (`phase(name)`). */
function rssWatcher(pidOf) {
  let max = 0;
  let busy = false;
  let phase = 'creating';
  let maxIn = phase;
  const peaks = new Map();
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const rss = await rssBytes(pidOf());
      peaks.set(phase, Math.max(peaks.get(phase) ?? 0, rss));
      if (rss > max) [max, maxIn] = [rss, phase];
    } catch {}
    busy = false;
  }, 200);
  return {
    max: () => max,
    maxIn: () => maxIn,
    /** Peak per phase, in MB, as "creating 331.2, listing 300.1, …". */
    peaks: () => [...peaks].map(([p, b]) => `${p} ${round(b / MB, 1)}`).join(', '),
    phase: (name) => {
      phase = name;
    },
    stop: () => clearInterval(timer),
  };
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
    // A 10,000-instance list is ~10 MB of JSON: ask less often as the fleet grows.
    await sleep(count > 2000 ? 2000 : 200);
  }
}
