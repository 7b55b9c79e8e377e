import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { restrictUmask, securePrivateHome } from '@berth/host';
import { announceAdminToken } from './admin-token.js';
import type { AppContext } from './app-context.js';
import { type BerthOptions, createBerth } from './berth.js';
import { limitHeapGrowth } from './heap-growth.js';
import { createApp } from './http/create-app.js';
import { DEFAULT_WEB_DIST } from './http/web-ui.js';
import { instanceData } from './instance-data.js';
import { ConnectionRouter } from './proxy/connection-router.js';
import { InstanceProxy } from './proxy/instance-proxy.js';
import { InstanceTargets } from './proxy/instance-targets.js';
import { handleProxyRequest, upgradeProxyRequest } from './proxy/proxy-handlers.js';
import { ProxyWorkers } from './proxy/proxy-workers.js';
import type { ServerConfig } from './server-config.js';

export interface StartOptions extends BerthOptions {
  /** Print the admin token created at first start (default true). */
  announce?: boolean;
}

export type RunningServer = Awaited<ReturnType<typeof startServer>>;

/** berth, its API on `config.port` and its reverse proxy on `config.proxyPort`. */
export async function startServer(config: ServerConfig, opts: StartOptions = {}) {
  limitHeapGrowth(config.heapGrowthPercent);
  // Everything berth writes is its user's alone: umask 077 from here on, and a home made
  // earlier (0755 folders, 0644 database and logs) brought in line before anything opens it.
  restrictUmask();
  const madePrivate = await securePrivateHome(config.home);
  const berth = await createBerth(config, opts);
  const log = berth.log;
  if (madePrivate.length > 0) {
    log.info(
      { home: config.home, paths: madePrivate.length },
      `Made ${madePrivate.length} files and folders of ${config.home} readable by this user only (0600/0700)`,
    );
  }
  let apiPort = config.port;
  let proxyPort = config.proxyPort;
  const ports = (id: string) => berth.instances.ports(id);
  // Links and the proxy reach an instance at its node's address (publicAddress or endpoint host).
  const nodeAddress = (node: string) => berth.nodes.address(node);
  const ctx: AppContext = {
    berth,
    apiPort: () => apiPort,
    view: {
      store: berth.store,
      ports,
      portsOfMany: (list) => berth.instances.portsOfMany(list),
      unapplied: (inst, reads) =>
        berth.instances.unappliedOf(
          inst,
          reads.template(inst.template),
          reads.deployment(inst.currentDeploymentId),
        ),
      deployment: (id) => berth.reconciler.deployment(id),
      nodeAddress,
      proxyPort: () => proxyPort,
      dataVersion: () => berth.store.dataVersion(),
      dataOf: (inst, reads) => instanceData(berth.owner, inst, reads),
    },
  };
  const targets = new InstanceTargets(berth.store, berth.events, ports, nodeAddress, {
    gateway: (node) => berth.runtimes.gateway(node),
    owner: berth.owner,
  });
  const isToken = (secret: string) => berth.tokens.isToken(secret);
  const proxy = new InstanceProxy(targets, log.child({ ns: 'proxy' }), isToken, berth.metrics.proxy);
  // The proxy port, the only place instance content is served (host form and /i/<name>/ path
  // form): connections are spliced to the instance by the router; what it does not forward itself
  // goes to the per-request proxy server, which never listens on its own.
  const proxyServer = createServer((req, res) => handleProxyRequest(proxy, req, res));
  proxyServer.on('upgrade', (req, socket, head) => upgradeProxyRequest(proxy, req, socket, head));
  proxyServer.keepAliveTimeout = 65_000;
  // More event loops on the proxy port: workers this process hands connections to in turn (itself
  // included), started at its first connection (a server nobody proxies through starts none).
  const workers =
    config.proxyWorkers > 0
      ? new ProxyWorkers({
          count: config.proxyWorkers,
          mainTakesTurns: true,
          targets,
          adopt: (socket) => router.adopt(socket),
          meter: berth.metrics.proxy,
          log: log.child({ ns: 'proxy' }),
        })
      : undefined;
  const router: ConnectionRouter = new ConnectionRouter(targets, proxyServer, {
    isToken,
    meter: berth.metrics.proxy,
    ...(workers ? { dispatch: (socket) => workers.take(socket) } : {}),
  });
  if (workers) {
    berth.events.subscribe((e) => {
      if (e.instanceName) workers.changed(e.instanceName);
    });
    router.server.once('connection', () => {
      workers.start().catch((err: Error) => log.warn({ err: err.message }, 'Failed to start proxy workers'));
    });
  }
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    app = await createApp(ctx, config.webDist ?? DEFAULT_WEB_DIST);
    await app.listen({ port: config.port, host: config.host });
    apiPort = (app.server.address() as AddressInfo).port;
    proxyPort = await router.listen(config.proxyPort, config.host);
  } catch (err) {
    await app?.close();
    await workers?.close();
    proxyServer.close();
    proxy.close();
    await berth.close();
    throw err;
  }
  const apiUrl = `http://${config.host}:${apiPort}`;
  // With JSON logs stdout is for a collector: every line there is one JSON object, so the
  // announcement, written for a person, goes to stderr.
  const toPerson = config.logFormat === 'json' ? (t: string) => process.stderr.write(t) : undefined;
  if (opts.announce !== false) announceAdminToken(berth.adminToken, toPerson);
  log.info(
    {
      api: apiUrl,
      proxy: [
        `http://<instance>.localhost:${proxyPort}/`,
        `http://${config.host}:${proxyPort}/i/<instance>/`,
      ],
      home: config.home,
    },
    'berth is listening',
  );

  let closing: Promise<void> | undefined;
  const ready = app;
  return {
    berth,
    app: ready,
    apiUrl,
    apiPort,
    proxyPort,
    /**
     * Closes the servers and berth; with `stopInstances`, stops every instance first
     * (`'remove'`: and removes their workloads, data kept — policy `stop-and-remove`).
     */
    close(stopInstances: boolean | 'remove' = false): Promise<void> {
      closing ??= (async () => {
        if (stopInstances) await berth.stopAll({ removeWorkloads: stopInstances === 'remove' });
        // The listener first: once it has handed connections to workers, closing it asks them to
        // report theirs closed, which stopping them answers.
        const routerClosed = router.close();
        await workers?.close();
        proxyServer.closeAllConnections();
        await Promise.all([ready.close(), routerClosed, new Promise((r) => proxyServer.close(r))]);
        proxy.close();
        await berth.close();
      })();
      return closing;
    },
  };
}

/**
 * On SIGINT/SIGTERM: stop every instance (policy `stop`), stop them and remove their workloads
 * keeping their data (`stop-and-remove`), or leave them running (`leave`), then exit.
 */
export function exitOnSignals(server: RunningServer, policy: ServerConfig['shutdown']): void {
  const log = server.berth.log;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    log.info(
      { signal, policy },
      policy === 'stop'
        ? 'Stopping every instance, then exiting'
        : policy === 'stop-and-remove'
          ? 'Stopping every instance and removing its workload (data kept), then exiting'
          : 'Exiting; instances keep running',
    );
    server.close(policy === 'stop-and-remove' ? 'remove' : policy === 'stop').then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'Failed to shut down cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
