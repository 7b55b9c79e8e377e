import { createServer, type Server } from 'node:net';

/**
 * Which test file may use which host ports. vitest runs files in parallel, so blocks never overlap;
 * and no block lies in the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range,
 * 32768–60999 here), where every outgoing connection takes a local port: a fixed port there can be
 * taken by any program's connection at any moment ("address already in use" on a busy machine).
 *
 * Below 25000–32000 there is not room for every file (the blocks already there and the fake
 * Kubernetes NodePort range 30000–32767 take most of it), so the end-to-end files of the root
 * `test/` folder and packages/integrations live in 10000–14999. Inside its block a test takes its
 * ports the way berth does: from the range, checked free (`freePort`, berth's own ledger, or
 * `freePortInRange` of @berth/testkit), or port 0 where the program allows; a test that binds a
 * port itself (an outsider holding a pinned port) goes on to the next free one if it lost a race.
 *
 * Ports that only appear as data stay as they are: parsed settings (settings-in-one-place's
 * 22100-22199), /proc/net rows copied into packages/host's tests, containers a fake Portainer or a
 * remote engine reports (49180, 49880), and the core's unit tests (nothing binds there). bench/
 * binds in 15000–19999 (bench/README.md, "Ports"): no test block goes there.
 * The remote-engine tests (docker-remote-ssh, -tls, -unreachable's 40010–40999) use ports of an
 * engine inside its own network namespace, not this machine's.
 */
export const PORT_BLOCKS = {
  // bulk actions (issue 16 §4): below 10000, outside the kernel's and berth's default ranges
  'server/bulk-actions': [9400, 9449],
  'cli/bulk-cli': [9450, 9499],
  // `berth serve`'s API +0, proxy +1, its template +10…+59
  'web/ui-table.e2e': [9500, 9749],
  // issue 16 §6: the templates folder watched (data only: no instance starts), the default restart policy
  'test/templates-watch': [9750, 9769],
  'test/default-restart': [9770, 9799],
  'server/port-settings (the global range a test sets; leases only, nothing binds)': [9800, 9849],
  'cli/port-range-cli (data only: settings, nothing binds)': [9850, 9899],
  // issue 16 §5: berth cleanup (one busybox httpd per instance)
  'test/docker-cleanup': [9900, 9949],
  // `berth serve`'s API +0, proxy +1, the hello template +10…+59 (portBlock spans 220)
  'web/ui-defaults.e2e': [8600, 8819],
  // issue 16 §2: versions of a program (command templates; the image one publishes nothing)
  'server/template-versions': [8820, 8869],
  'cli/versions-cli': [8870, 8919],
  // `berth serve`'s API +0, proxy +1, the hello template +10…+59, the versioned template +60…+79
  'web/ui-versions.e2e': [8920, 8999],
  // image versions on a remote node's engine (its instance publishes nothing; the engine is in a namespace)
  'test/versions-on-remote-node': [8250, 8299],
  // root test/ (10000–14399)
  'test/adopted-mid-deploy': [10000, 10099],
  'test/big-template-file-keeps-api-answering': [10100, 10199],
  'test/bind-race': [10200, 10399],
  'test/build-cli': [10400, 10499],
  'test/build-deploy': [10500, 10599],
  'test/build-detect-rules': [10600, 10699],
  'test/build-failures': [10700, 10799],
  'test/build-restart': [10800, 10899],
  'test/crash-recovery': [10900, 10999],
  'test/disk-full': [11000, 11299],
  'test/docker-api': [11300, 11399],
  'test/docker-compose': [11400, 11499],
  'test/docker-crash-recovery': [11500, 11599],
  'test/docker-engine-restart': [11600, 11799],
  'test/docker-remote-node': [11800, 11899],
  'test/docker-remote-unreachable (this machine)': [11900, 11999],
  'test/docker-web': [12000, 12199],
  'test/observe-cli': [12200, 12299],
  'test/observe-restarts': [12300, 12499],
  'test/observe-streams': [12500, 12599],
  'test/operator-defects': [12600, 12699],
  'test/port-probes': [12700, 12799],
  'test/ports': [12800, 13299],
  'test/reconciler-tick': [13300, 13399],
  'test/recycled-pid': [13400, 13499],
  'test/remove-checks-first': [13500, 13599],
  'test/templates-folder': [13600, 13899],
  'test/abuse/fuzz-openapi': [13900, 14099],
  'test/abuse/kill9-parallel-deploys': [14100, 14199],
  'test/abuse/proxy-framing': [14200, 14299],
  'test/abuse/slow-clients': [14300, 14399],
  // packages/integrations (14400–14999; 14999 is never listened on: connection-failures' refused port)
  'integrations/portainer': [14400, 14449],
  'integrations/connection-failures': [14450, 14499],
  'integrations/komodo': [14500, 14549],
  'integrations/fake-portainer default': [14550, 14599],
  'integrations/fake-komodo default': [14600, 14649],
  'integrations/scan-scheduler': [14650, 14799],
  'integrations/secrets': [14800, 14899],
  'integrations/docker': [14900, 14989],
  // root test/ files that run `berth serve` through the web harness (22800–22999)
  'test/swarm-node-loss (API, proxy; the harness template +10…+59)': [22800, 22899],
  // bench/ (not a test file: benchmarks run beside the tests on this machine, so no block overlaps)
  'bench (bench/README.md, "Ports")': [15000, 19999],
  // `berth serve`'s API +0, proxy +1, its instances +10…+69 (portBlock spans 220)
  'web/ui-round2.e2e': [22000, 22249],
  // API +0, proxy +1, the hello template +10…+59 (its compose replicas' host ports are the engine's)
  'web/ui-replicas.e2e': [22250, 22349],
  // `berth serve`'s API +0, proxy +1, the hello template +10…+59, reservations +200…+209
  'web/ui-surfaces.e2e': [22350, 22599],
  // apps, runtimes, web (23000–29749)
  'web/ui-session.e2e': [23000, 23499],
  // a pinned template 23500–23549, built apps 23550–23599
  'test/notify-rules': [23500, 23599],
  // `berth serve`'s API +0, proxy +1, its template +10…+59
  'web/ui-notifications.e2e': [23600, 23699],
  'server/instance-edit': [23700, 23799],
  'cli/edit-cli': [23800, 23899],
  // `berth serve`'s API +0, proxy +1, its template +10…+59
  'web/ui-edit.e2e': [23900, 24099],
  'server/api': [24100, 24399],
  'test/one-template-any-node (here and on its namespace engine)': [24400, 24449],
  'server/manifest-export (data only: instances created stopped)': [24450, 24499],
  'cli/export-cli (data only)': [24500, 24549],
  'test/command-template-on-swarm': [24550, 24599],
  'cli/cli': [24600, 24799],
  'test/swarm-node': [24800, 24849],
  'runtime-docker/swarm-scale': [24850, 24859],
  'server/openapi-document, prometheus-scrape, test/structured-logs': [24860, 24899],
  'web/ui-clusters.e2e (API and proxy)': [24900, 24929],
  'test/replicas': [24930, 24939],
  'test/reboot-brings-back': [24940, 24959],
  'test/berth-container (its API + proxy, then its instance)': [24960, 24999],
  'server/home-modes': [25000, 25099],
  'server/proxy-port-choice': [25100, 25199],
  'cli/links-cli': [25200, 25299],
  'runtime-docker/docker-contract': [25300, 25399],
  'runtime-docker/compose-contract': [25400, 25499],
  'runtime-docker/docker-port-source': [25500, 25599],
  'runtime-docker/docker-runtime': [25600, 25699],
  'runtime-docker/remote-docker-host': [25700, 25799],
  'runtime-process/process-runtime (testkit freePortInRange default)': [25800, 25899],
  'runtime-process/await-ready': [25900, 25999],
  'server/pinned-port-conflict': [26000, 26099],
  'test/instance-secrets': [26100, 26199],
  'test/docker-instance-secrets': [26200, 26299],
  'test/bind-conflict-list': [26300, 26399],
  'server/instance-list-pins': [26400, 26499],
  'test/registry-import': [26500, 26599],
  'server/proxy': [26600, 26799],
  'server/integrations-api': [26800, 26849],
  'server/integration-secret-binding': [26850, 26899],
  'cli/integration-cli': [26900, 26949],
  'runtime-docker/swarm-contract': [26950, 26999],
  'test/abuse/write-burst-kill9': [27000, 28999],
  'web/ui.e2e': [29000, 29249],
  'web/ui-more.e2e': [29250, 29499],
  'web/ui-links.e2e': [29500, 29749],
  'runtime-docker/swarm-cluster': [29750, 29849],
  // leases only (instances created stopped), and entries in the kernel's reserved ports
  'test/kernel-reserved-ports': [29850, 29899],
  // `berth serve`'s API +0, proxy +1, the hello template +10…+59, ports an outsider holds +70, +71
  'web/ui-round3.e2e': [29900, 29999],
  // 30000–32767: fake-kube's NodePorts (kubernetes tests), server/proxy-isolation 30600–30699,
  // test/kubernetes-node 31500–31599, test/replicas 31700–31749, test/kubernetes-events 31750–31759, test/command-template-on-kubernetes 30900–30949,
  // web/ui-clusters.e2e 31800–31849, test/kubernetes-node-port-range 31850–31899
  // 32000–32767: NodePorts the kubernetes package tests (runtime-kubernetes, fake-kube-api) pick at random
} as const satisfies Record<string, readonly [number, number]>;

/** True when a TCP listener can bind the port on every interface right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

/** A port in [from, to] that is free now (random start, so two runs of a file rarely meet). */
export async function freePort(from: number, to: number): Promise<number> {
  const size = to - from + 1;
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = from + ((start + i) % size);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}

/** A port p in [from, to] where p and p + 1 are both free now (an API and its proxy). */
export async function freePortPair(from: number, to: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort(from, to);
    if (await canBind(port + 1)) return port;
  }
  throw new Error(`no two free ports side by side in ${from}–${to + 1}`);
}

/** Listens on `host` at a free port in [from, to]; a port lost to a race is skipped for the next. */
export async function listenOnFreePort(
  from: number,
  to: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort(from, to);
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, host, () => resolve(true));
    });
    if (ok) return { server, port };
  }
  throw new Error(`could not listen on a free port in ${from}–${to}`);
}
