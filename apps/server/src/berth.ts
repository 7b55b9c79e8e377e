import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  type Clock,
  defaultLedgerConfig,
  EventBus,
  InstanceService,
  LOCAL_NODE,
  localNodeDriver,
  NodeRegistry,
  NodeService,
  PortLedger,
  Reconciler,
  systemClock,
  TemplateService,
  userMessage,
  VersionService,
  type ViewReuseOptions,
} from '@berth/core';
import {
  bootTimeMs,
  HostVersionFolders,
  LocalListenerSource,
  LocalSocketSource,
  LogIndexers,
  LogRotationFeed,
  NetHealthProbe,
  SysctlLeaseMirror,
} from '@berth/host';
import { SecretKeyring } from '@berth/integrations';
import { openDocker, swarmNodeDriver } from '@berth/runtime-docker';
import { KubernetesNodeDriver } from '@berth/runtime-kubernetes';
import { processNodePart } from '@berth/runtime-process';
import { SqliteStore } from '@berth/store-sqlite';
import { type AdminTokenResult, ensureAdminToken } from './admin-token.js';
import { startBuilds } from './berth-builds.js';
import { startIntegrations } from './berth-integrations.js';
import { HostWorkspace } from './host-workspace.js';
import { InstanceLogs } from './instance-logs.js';
import { findInStore, LogLabels } from './log-labels.js';
import { type BerthLogger, createLogger } from './logger.js';
import { BerthMetrics } from './metrics/berth-metrics.js';
import { NotificationChannels } from './notifications/notification-channels.js';
import type { ObserveSettings } from './observe/observe-settings.js';
import { startObservers } from './observe/observers.js';
import { ownerId } from './owner-id.js';
import { PortRangeSettings } from './port-range-settings.js';
import type { ServerConfig } from './server-config.js';
import {
  type ReloadOptions,
  type ReloadResult,
  templateReloader,
  watchTemplateFolders,
} from './template-reload.js';
import { loadTokenKey, TokenService } from './token-service.js';

export interface BerthOptions {
  log?: BerthLogger;
  clock?: Clock;
  /** How often the reconciler looks at every instance, in ms. */
  tickMs?: number;
  /** Sampler and log-rotation settings over the BERTH_* environment ones. */
  observe?: Partial<ObserveSettings>;
  /** When this machine booted (default: /proc/stat's btime); a test may say a reboot happened. */
  hostBootedAt?: number;
  /** How often every node is looked at, so one going away is told (`node.status`), in ms. */
  nodeWatchMs?: number;
  /**
   * Watch the templates and compose folders and load what changes (default true); off in tests of
   * `berth templates reload` itself, so no reload of the watch's answers first.
   */
  watchTemplates?: boolean;
}

export type { ReloadResult };

/** A reload the folder watch makes: past bad files, each change told as an event. */
const WATCHED: ReloadOptions = { keepGoing: true, announce: true };

/**
 * How long one reading of this machine's sockets chooses the ports of new instances: with 10,000
 * listeners a reading costs ~35 ms of CPU, and each create made one. Pinned ports, preflights and
 * retries after a failed bind always read the machine (see ViewReuseOptions).
 */
const LEDGER_VIEW_REUSE: ViewReuseOptions = { maxAgeMs: 1_000 };

export type Berth = Awaited<ReturnType<typeof createBerth>>;

/**
 * The composition root: opens the store, wires the ledger, runtimes, reconciler and services,
 * loads the templates folder, adopts what is already running and starts the reconciler's tick.
 */
export async function createBerth(config: ServerConfig, opts: BerthOptions = {}) {
  // Log lines about an instance carry its instance, template and node once the store is open.
  const labels = new LogLabels();
  const log = opts.log ?? createLogger(config.logLevel, config.logFormat, undefined, labels);
  const clock = opts.clock ?? systemClock;
  // Refused (not root, /proc/sys read-only) before anything is opened.
  const kernelPorts = config.reservePorts
    ? SysctlLeaseMirror.open({
        host: LOCAL_NODE,
        stateFile: join(config.home, 'kernel-reserved-ports.json'),
        log: log.child({ ns: 'ports' }),
      })
    : undefined;
  const store = await SqliteStore.open(join(config.home, 'berth.db'), { clock, log });
  labels.attach(findInStore(store.instances));
  const owner = ownerId(store.settings);
  const tokens = new TokenService(store.tokens, clock, loadTokenKey(config.home));
  const adminToken: AdminTokenResult = await ensureAdminToken(tokens, config.home, config.adminToken);
  const ledgerConfig = {
    ...defaultLedgerConfig,
    globalRange: config.portRange.range,
    reserved: config.reservedPorts,
  };
  const ledger = new PortLedger(
    store,
    [new LocalListenerSource(), new LocalSocketSource()],
    ledgerConfig,
    clock,
    log.child({ ns: 'ports' }),
    undefined,
    // A burst of creates shares one reading of the machine's sockets a second (ViewReuseOptions).
    LEDGER_VIEW_REUSE,
  );
  // The global and reserved ranges: the environment's (or the default), or what was saved through the API.
  const portRanges = new PortRangeSettings({
    settings: store.settings,
    ledger: ledgerConfig,
    startup: config.portRange,
    envReserved: config.reservedPorts,
    ephemeral: config.ephemeralRange,
    log,
  });
  const range = portRanges.globalRange();
  log[range.overlapsEphemeral ? 'warn' : 'info'](
    { ns: 'ports', from: range.range[0], to: range.range[1] },
    `Ports are leased from ${range.range[0]}–${range.range[1]}: ${range.why}`,
  );
  if (kernelPorts) {
    ledger.mirrorTo(kernelPorts);
    log.info({ ns: 'ports' }, "Leased ports are kept in the kernel's reserved ports (BERTH_RESERVE_PORTS=1)");
  }
  const logRotations = new LogRotationFeed();
  // Watches running processes' log files while berth runs (each line's time); closed with berth.
  const logIndexers = new LogIndexers({ rotations: logRotations });
  // Nodes are drivers: node local is this machine's processes and engine, each other kind a driver.
  const docker = await openDocker(config.docker, { log, home: config.home });
  const runtimes = new NodeRegistry(log)
    .register(localNodeDriver([processNodePart({ log, logRotations, logIndexers }), docker.localPart]))
    .register(docker.driver)
    .register(swarmNodeDriver({ log, ssh: config.docker.ssh }))
    .register(new KubernetesNodeDriver(log.child({ ns: 'runtime:kubernetes' })));
  ledger.addSource(runtimes);
  const events = new EventBus(store, clock);
  const nodes = new NodeService({ store, registry: runtimes, clock, log, events });
  await nodes.openAll();
  const workspace = new HostWorkspace(config.home);
  // One keyring seals integration secrets and instances' `secret` config values (and rotates both).
  const secretKeys = SecretKeyring.load(config.home, log.child({ ns: 'secrets' }));
  // Told about events after they are recorded, on a later turn: the reconciler never waits for it.
  const notifications = new NotificationChannels({
    store,
    secrets: secretKeys,
    clock,
    newId: randomUUID,
    log: log.child({ ns: 'notifications' }),
  });
  const unsubscribeNotifications = events.subscribe((e) => setImmediate(() => notifications.consider(e)));
  const deps = {
    store,
    ledger,
    runtimes,
    workspace,
    events,
    clock,
    newId: randomUUID,
    secrets: secretKeys.box,
  };
  const metrics = new BerthMetrics();
  // Templates' versions: command versions in BERTH_HOME/versions, image versions on each node's engine.
  const versions = new VersionService({
    store,
    events,
    runtimes,
    folders: new HostVersionFolders(config.home),
    images: runtimes,
  });
  const reconciler = new Reconciler({
    versions,
    ...deps,
    log,
    owner,
    publicHost: '127.0.0.1',
    nodeAddress: (node) => nodes.address(node),
    health: new NetHealthProbe(),
    actions: metrics.actions,
    hostBootedAt: opts.hostBootedAt ?? bootTimeMs(),
  });
  const instances = new InstanceService({ ...deps, reconciler });
  const templates = new TemplateService(store, events, clock);
  const logs = new InstanceLogs(deps);
  const integrations = startIntegrations({
    home: config.home,
    store,
    ledger,
    workspace,
    clock,
    log,
    secrets: secretKeys,
    instances,
    resealOthers: (reseal) => notifications.reseal(reseal),
  });
  const builds = await startBuilds({
    home: config.home,
    templates,
    instances,
    log,
    events,
    docker: docker.local?.docker,
    endpoint: config.docker.endpoint,
    baseImages: docker.baseImages,
    portRange: config.buildPorts,
    sources: {
      allowPaths: config.allowPaths,
      maxBytes: config.importMaxBytes,
      maxFiles: config.importMaxFiles,
    },
  });

  const reloadTemplates: (opts?: ReloadOptions) => Promise<ReloadResult> = templateReloader({
    templatesDir: config.templatesDir,
    composeDir: config.composeDir,
    templates,
    instances,
    events,
    log,
  });

  try {
    const loaded = await reloadTemplates({ keepGoing: true });
    log.info({ ns: 'templates', ...loaded }, 'Loaded the templates folder');
  } catch (err) {
    log.warn(
      { ns: 'templates', folder: config.templatesDir, err: userMessage(err) },
      'Templates folder not loaded',
    );
  }
  sealStoredSecrets(instances, events, log);
  const recovered = await reconciler.recover();
  log.info({ ns: 'reconciler', adopted: recovered.adopted, orphans: recovered.orphans.length }, 'Recovered');
  reconciler.startTicking(opts.tickMs ?? 1000);
  const stopNodeWatch = nodes.watch(opts.nodeWatchMs ?? 30_000);
  const stopTemplateWatch =
    opts.watchTemplates === false
      ? async () => undefined
      : watchTemplateFolders([config.templatesDir, config.composeDir], () => reloadTemplates(WATCHED), log);
  const observers = startObservers(
    { store, runtimes, workspace, clock, log, logRotations },
    { ...config.observe, ...opts.observe },
  );
  metrics.watch(store, (id, since) => observers.sampler.history(id, since), events);

  let closed: Promise<void> | undefined;
  return {
    config,
    log,
    clock,
    store,
    owner,
    events,
    ledger,
    portRanges,
    runtimes,
    nodes,
    baseImages: docker.baseImages,
    workspace,
    reconciler,
    instances,
    templates,
    versions,
    tokens,
    logs,
    integrations,
    notifications,
    builds,
    observers,
    sampler: observers.sampler,
    metrics,
    adminToken,
    reloadTemplates,
    /**
     * Stops every instance that is running or meant to run (shutdown policy `stop`); with
     * `removeWorkloads` (policy `stop-and-remove`) then removes every instance's workload — its
     * container — keeping the records, data directories and volumes: a later start deploys anew.
     */
    async stopAll(opts: { removeWorkloads?: boolean } = {}): Promise<void> {
      const all = instances.list();
      const live = all.filter((i) => i.desiredState === 'running' || i.status !== 'stopped');
      await Promise.allSettled(live.map((i) => instances.stop(i.id, { wait: true })));
      if (!opts.removeWorkloads) return;
      const removed = await Promise.allSettled(
        all.map((i) => reconciler.enqueue(i.id, 'destroy', { keepData: true, volumes: false })),
      );
      for (const [n, r] of removed.entries())
        if (r.status === 'rejected')
          log.error(
            { ns: 'shutdown', instance: all[n]?.name, err: r.reason },
            'Failed to remove the workload',
          );
    },
    /** Lets queued actions finish, then closes the store. Instances keep running. */
    close(): Promise<void> {
      closed ??= (async () => {
        stopNodeWatch();
        await stopTemplateWatch();
        unsubscribeNotifications();
        notifications.close();
        await integrations.close();
        await builds.close();
        observers.stop();
        await reconciler.close();
        logIndexers.closeAll();
        runtimes.closeAll();
        store.close();
      })();
      return closed;
    },
  };
}

/**
 * Secret config values are never left in clear in the store: those written before berth sealed
 * them are sealed now, and a template that newly marks a field `secret` has its instances' values
 * sealed as it is saved (through the API here; `reloadTemplates` does it for the folder's).
 */
function sealStoredSecrets(instances: InstanceService, events: EventBus, log: BerthLogger): void {
  const sealed = instances.sealStoredSecrets();
  if (sealed > 0)
    log.info({ ns: 'secrets', instances: sealed }, `Sealed secret config values of ${sealed} instances`);
  events.subscribe((e) => {
    if (e.type !== 'template.changed' || typeof e.data.name !== 'string') return;
    try {
      instances.sealStoredSecrets(e.data.name);
    } catch (err) {
      log.error({ ns: 'secrets', template: e.data.name, err }, 'Failed to seal secret config values');
    }
  });
}
