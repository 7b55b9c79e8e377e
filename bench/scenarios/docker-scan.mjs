// Scenario 11 (issue 20 §2): scan a Docker endpoint holding 500 containers → the ledger.
// Ports: 19000–19499, the containers' published ports, bound on 127.0.0.2 (a loopback address of
// their own: another fleet on 127.0.0.1 in the bench's block, as a session beside ours once had,
// does not make a start fail); this scenario's berth server on the first two quiet ports from
// 15940 up (so it can run beside another scenario's, bench/README.md, "Ports").
//
// An engine the way an operator's looks: 500 small containers (berth-test/busybox, `sleep`), nine
// in ten publishing one port, the rest publishing none (workers, one-off jobs). They carry the
// bench's label `berth.bench=docker-scan` and are removed by it, also before the scenario starts
// (left over from a run that was killed). berth gets a `docker` integration on the local socket
// (autoDetect off, so no scheduled scan joins a measured one) and each sample is the path the
// server takes when the operator presses "Scan now": `POST /integrations/:id/scan` (dockerode's
// list → the rows replace the previous scan in one SQLite transaction) then `GET /ports` (the
// ledger's view of the host, through ScanPortSource) listing every published port as a scan.
import { berthHome, startBerth, stopBerth } from '../lib/berth.mjs';
import { log, now, onCleanup, pool, quietPorts, round, summary } from '../lib/common.mjs';

const IMAGE = 'berth-test/busybox:latest';
export const SCAN_RANGE = [19000, 19499];
const HOST_IP = '127.0.0.2';
const LABEL = 'berth.bench';
const LABEL_VALUE = 'docker-scan';

async function docker() {
  const { default: Docker } = await import('dockerode');
  const d = new Docker({ socketPath: '/var/run/docker.sock' });
  await d.ping();
  await d.getImage(IMAGE).inspect();
  return d;
}

/** Every container carrying the bench's label, removed (forced) with bounded concurrency. */
async function removeLabelled(d) {
  const list = await d.listContainers({ all: true, filters: { label: [`${LABEL}=${LABEL_VALUE}`] } });
  await pool(list, 8, (c) =>
    d
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {}),
  );
  return list.length;
}

/**
 * Creates and starts `count` labelled containers, `concurrency` at a time; every tenth publishes
 * nothing. Those an earlier run left running (BENCH_KEEP_CONTAINERS=1) are kept: only the missing
 * ones are created. Resolves with the published ports.
 */
async function fleet(d, count, concurrency) {
  const existing = await d.listContainers({ all: true, filters: { label: [`${LABEL}=${LABEL_VALUE}`] } });
  const running = new Set();
  for (const c of existing) {
    const i = Number(/^\/berth-bench-scan-(\d+)$/.exec(c.Names?.[0] ?? '')?.[1]);
    if (c.State === 'running' && i < count) running.add(i);
    else await d.getContainer(c.Id).remove({ force: true, v: true });
  }
  if (running.size > 0) log(`reusing ${running.size} running container(s) of an earlier run`);
  const ports = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const publish = i % 10 !== 9;
      const port = SCAN_RANGE[0] + i;
      if (port > SCAN_RANGE[1]) throw new Error(`container ${i} has no port in ${SCAN_RANGE.join('–')}`);
      if (!running.has(i)) {
        const c = await d.createContainer({
          name: `berth-bench-scan-${i}`,
          Image: IMAGE,
          Cmd: ['sleep', '86400'],
          Labels: { [LABEL]: LABEL_VALUE },
          ...(publish ? { ExposedPorts: { '8080/tcp': {} } } : {}),
          HostConfig: {
            Init: true,
            ...(publish
              ? { PortBindings: { '8080/tcp': [{ HostIp: HOST_IP, HostPort: String(port) }] } }
              : {}),
          },
        });
        await c.start();
      }
      if (publish) ports.push(port);
    },
  );
  return ports.sort((a, b) => a - b);
}

export async function dockerScan({ count, reps, concurrency = 8 }) {
  const d = await docker();
  // BENCH_KEEP_CONTAINERS=1 (profiling the scan again and again): the fleet stays after the run.
  const keep = process.env.BENCH_KEEP_CONTAINERS === '1';
  onCleanup(async () => {
    if (keep) return log(`leaving the ${count} containers (BENCH_KEEP_CONTAINERS=1)`);
    const t = now();
    const n = await removeLabelled(d);
    log(`cleanup: removed ${n} container(s) by label in ${Math.round(now() - t)} ms`);
  });
  const t0 = now();
  const publishedPorts = await fleet(d, count, concurrency);
  const published = publishedPorts.length;
  const createMs = now() - t0;
  log(`${count} containers ready in ${Math.round(createMs)} ms (${concurrency} at a time)`);

  const home = await berthHome('scan');
  // The first two quiet ports from 15940 up (another fleet in the bench's block may hold some).
  const [apiPort, proxyPort] = await quietPorts(15940, 2, 19999);
  const server = await startBerth(home, { shutdown: 'stop', apiPort, proxyPort });
  try {
    const integration = await server.api('POST', '/integrations', {
      name: 'bench-engine',
      type: 'docker',
      autoDetect: false,
      config: { host: 'unix:///var/run/docker.sock' },
    });
    const engineTotal = (await d.listContainers({ all: true })).length;
    const scanMs = [];
    const ledgerMs = [];
    const total = [];
    const rawMs = [];
    const inventoryMs = [];
    let last;
    // One unmeasured round first (dockerode's first request opens its connection, modules load);
    // the raw engine list and berth's scan alternate which goes first.
    for (let r = -1; r < reps; r++) {
      const raw = async () => {
        const t = now();
        await d.listContainers({ all: true });
        return now() - t;
      };
      const rawFirst = r % 2 === 0;
      const before = rawFirst ? await raw() : undefined;
      const t = now();
      const outcome = await server.api('POST', `/integrations/${integration.id}/scan`);
      const t1 = now();
      // The ledger's view as a create's preflight reads it (every source, no holder named): none
      // of the published ports may be offered as free (the unpublished ones may be, unless
      // something else on the machine holds them).
      const free = await server.api(
        'GET',
        `/ports/free?from=${SCAN_RANGE[0]}&to=${SCAN_RANGE[1]}&count=${SCAN_RANGE[1] - SCAN_RANGE[0] + 1}`,
      );
      const t2 = now();
      const after = rawFirst ? undefined : await raw();
      if (!outcome.ok) throw new Error(`scan failed: ${outcome.message}`);
      const taken = publishedPorts.filter((p) => free.ports.includes(p));
      if (taken.length > 0)
        throw new Error(`the ledger offers ${taken.length} published port(s) as free, e.g. ${taken[0]}`);
      // The Ports page: the inventory names every holder on the machine (not part of the measure).
      const t3 = now();
      const inv = await server.api('GET', '/ports?host=local');
      const t4 = now();
      const held = new Set(
        inv.filter((p) => p.ownerKind === 'scan' || p.ownerKind === 'container').map((p) => p.port),
      );
      const missing = publishedPorts.filter((p) => !held.has(p));
      if (missing.length > 0)
        throw new Error(
          `the inventory does not list ${missing.length} published port(s), e.g. ${missing[0]}`,
        );
      last = { outcome, rows: inv.length };
      if (r < 0) continue;
      rawMs.push(before ?? after);
      scanMs.push(t1 - t);
      ledgerMs.push(t2 - t1);
      total.push(t2 - t);
      inventoryMs.push(t4 - t3);
    }
    // What the scan recorded (the store's rows): every labelled container with its port.
    const results = await server.api('GET', `/integrations/${integration.id}/results`);
    const recorded = results.filter((r) => r.containerName.startsWith('berth-bench-scan-'));
    const recordedPorts = recorded.reduce((n, r) => n + r.ports.length, 0);
    if (recorded.length !== count || recordedPorts !== published)
      throw new Error(
        `the scan recorded ${recorded.length} containers and ${recordedPorts} ports of the bench's ${count} and ${published}`,
      );
    const s = summary(total);
    const scan = summary(scanMs);
    const raw = summary(rawMs);
    const inventory = summary(inventoryMs);
    log(
      `scan → ledger: median ${s.median} ms (scan ${scan.median}, ledger read ${summary(ledgerMs).median}; engine list alone ${raw.median}; inventory ${inventory.median})`,
    );
    const scenario = `scan a Docker endpoint holding ${count} containers`;
    return [
      {
        scenario,
        metric: 'POST /integrations/:id/scan → the ledger (GET /ports/free) holds every published port',
        unit: 'ms',
        berth: s,
        baselines: {
          'of it: the scan (POST … /scan)': scan,
          'of it: the ledger read (GET /ports/free)': summary(ledgerMs),
          'the engine list alone (dockerode, all: true)': raw,
        },
        ratio: { 'the scan / the engine list alone': round(scan.median / raw.median) },
        measured: `${s.median} ms median (${reps} scans, worst ${s.max} ms)`,
        target: '≤ 500 ms',
        pass: s.median <= 500,
        notes: [
          `${count} containers of ${IMAGE} (\`sleep\`), ${published} publishing one port on ${HOST_IP} (${SCAN_RANGE[0]}–${SCAN_RANGE[1]}), ${count - published} none; the engine held ${engineTotal} containers in all and the scan recorded ${last.outcome.containers} (${last.outcome.ports} ports)`,
          `creating and starting the ${count} containers took ${round(createMs / 1000, 1)} s (${concurrency} at a time; ~0 when an earlier run's fleet, kept with BENCH_KEEP_CONTAINERS=1, was reused); not part of the measure`,
          'the docker integration has autoDetect off, so no scheduled scan joins a measured one; one unmeasured round first; the raw engine list and the scan alternate which goes first',
          "the ledger read is what a create's preflight reads (every port source: the kernel's sockets, the local engine's containers, the scans; no holder named); on the local engine its own source reports these ports too (as containers, the same rank as a scan)",
        ],
      },
      {
        scenario,
        metric: 'GET /ports?host=local (the Ports page: every holder on the machine named) after the scan',
        unit: 'ms',
        berth: inventory,
        measured: `${inventory.median} ms median, ${last.rows} rows`,
        target: null,
        pass: null,
        notes: [
          'not part of the target: naming the process behind every other listener on the machine walks /proc/<pid>/fd of every process',
        ],
      },
    ];
  } finally {
    await stopBerth(server);
  }
}
