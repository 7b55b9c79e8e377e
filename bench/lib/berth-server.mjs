// The berth server as the bench runs it: `startServer` from the built @berth/server, configured by
// the environment (BERTH_HOME, BERTH_PORT, BERTH_PROXY_PORT, BERTH_ADMIN_TOKEN, BERTH_SHUTDOWN), in
// its own process so its RSS and CPU time can be read from /proc. Over the IPC channel the bench
// can switch a resource sampler on and off (when the server does not run one of its own yet).
// As `berth serve` does (apps/cli's main): the young generation is kept small before the server's
// modules are read (a static import would be read with them).
import '@berth/server/young-generation';

const { exitOnSignals, loadServerConfig, startServer } = await import('@berth/server');

const t0 = performance.now();
const config = loadServerConfig();
const server = await startServer(config, { announce: false });
exitOnSignals(server, config.shutdown);
const { berth } = server;

let sampler = berth.sampler;
const builtIn = sampler !== undefined;
let passes = 0;
let passMs = 0;

async function ownSampler() {
  const { ResourceSampler } = await import('@berth/core');
  const { ProcHostStats, DuDiskUsage } = await import('@berth/host');
  return new ResourceSampler({
    store: berth.store,
    runtimes: berth.runtimes,
    clock: berth.clock,
    log: berth.log.child({ ns: 'sampler' }),
    host: new ProcHostStats(),
    diskUsage: new DuDiskUsage(),
  });
}

/** Wraps sampleOnce to count passes and their wall time. */
function instrument(s) {
  if (s.__benchWrapped) return;
  const original = s.sampleOnce.bind(s);
  s.sampleOnce = async () => {
    const t = performance.now();
    await original();
    passes++;
    passMs += performance.now() - t;
  };
  s.__benchWrapped = true;
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'sampler') {
      if (msg.on) {
        sampler ??= await ownSampler();
        instrument(sampler);
        sampler.stop?.();
        sampler.start(msg.intervalMs);
      } else sampler?.stop?.();
      process.send({ type: 'sampler', ok: true, builtIn });
    } else if (msg.type === 'stats') {
      process.send({
        type: 'stats',
        passes,
        passMs,
        builtIn,
        cpu: process.cpuUsage(),
        mem: process.memoryUsage(),
      });
      passes = 0;
      passMs = 0;
    }
  } catch (err) {
    process.send({ type: 'error', message: String(err?.stack ?? err) });
  }
});

process.send?.({
  type: 'ready',
  apiPort: server.apiPort,
  proxyPort: server.proxyPort,
  owner: berth.owner,
  startupMs: performance.now() - t0,
  samplerBuiltIn: builtIn,
});
