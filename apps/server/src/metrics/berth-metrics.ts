import type { ActionObserver, EventBus, Instance, Store } from '@berth/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ProxyMeter } from '../proxy/proxy-meter.js';
import { InstanceSeries, type InstanceSource } from './instance-series.js';

/**
 * berth's Prometheus metrics (prom-client), served at `GET /metrics`: each instance's series,
 * berth's own (instances by status, port leases by host, reconciler actions, proxy traffic, API
 * request durations) and the Node process's. One registry per berth, so servers in one process
 * (the tests) never mix their series.
 */
export class BerthMetrics {
  readonly registry = new Registry();
  readonly actions: ActionObserver;
  readonly proxy: ProxyMeter;
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly conflicts: Counter<'route'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'berth_process_' });
    const registers = [this.registry];
    const actionCount = new Counter({
      name: 'berth_reconciler_actions_total',
      help: "Actions the reconciler ran from an instance's queue, by outcome",
      labelNames: ['action', 'outcome'],
      registers,
    });
    const actionTime = new Histogram({
      name: 'berth_reconciler_action_duration_seconds',
      help: 'How long each reconciler action took (a deploy includes its readiness wait)',
      labelNames: ['action'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.actions = {
      observe(action, seconds, outcome) {
        actionCount.inc({ action, outcome });
        actionTime.observe({ action }, seconds);
      },
    };
    const requests = new Counter({
      name: 'berth_proxy_requests_total',
      help: 'Requests the reverse proxy forwarded to each instance',
      labelNames: ['instance'],
      registers,
    });
    const bytes = new Counter({
      name: 'berth_proxy_bytes_total',
      help: 'Bytes the reverse proxy carried: in (client → instance) and out (instance → client)',
      labelNames: ['instance', 'direction'],
      registers,
    });
    this.proxy = {
      request: (instance, n = 1) => requests.inc({ instance }, n),
      bytes: (instance, direction, n) => bytes.inc({ instance, direction }, n),
    };
    this.http = new Histogram({
      name: 'berth_http_request_duration_seconds',
      help: 'API and UI requests by matched route (its pattern, never the raw URL)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.conflicts = new Counter({
      name: 'berth_port_conflicts_total',
      help: 'Port conflicts berth found: a create, start or port override the API refused because another holds the port (by matched route), or a start the reconciler found a port taken at (route "deploy")',
      labelNames: ['route'],
      registers,
    });
  }

  /** Starts the series read at scrape time from the store and the resource sampler. */
  watch(store: Store, history: InstanceSource['history'], events: EventBus): void {
    events.subscribe((e) => {
      if (e.type === 'instance.port-conflict' && e.data?.during === 'deploy')
        this.conflicts.inc({ route: 'deploy' });
    });
    const instances = (): Instance[] => store.instances.list();
    new InstanceSeries(this.registry, { instances, history });
    new Gauge({
      name: 'berth_instances',
      help: 'Instances by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of instances()) this.inc({ status: i.status });
      },
    });
    new Gauge({
      name: 'berth_port_leases',
      help: 'Ports leased by berth, by host',
      labelNames: ['host'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const host of store.leases.hosts()) this.set({ host }, store.leases.listByHost(host).length);
      },
    });
  }

  /** One answered API request; `route` is the matched pattern, or `unmatched`. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  /** An API answer refused a port another holds (PORT_CONFLICT). */
  portConflict(route: string): void {
    this.conflicts.inc({ route });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
