import { createServer, type Server } from 'node:http';
import {
  type AwaitReadyOptions,
  type Clock,
  type ClusterEvent,
  type DeployOptions,
  type DeploySpec,
  type LogLine,
  type LogQuery,
  type ObservedWorkload,
  PortBindFailed,
  type ResolvedPort,
  type ResourceSample,
  type Runtime,
  RuntimeUnavailable,
  systemClock,
  type WorkloadHandle,
} from '@berth/core';

/** A spec label that makes the workload ignore a graceful stop. */
export const IGNORES_TERM = 'berth.scripted/ignores-term';

/** What the next `deploy` does instead of succeeding. */
export type DeployScript =
  | { kind: 'fail'; error: Error }
  | { kind: 'bind'; ports: string[] }
  | { kind: 'hold'; gate: Promise<void> }
  | { kind: 'unready' };

interface Workload {
  handle: WorkloadHandle;
  spec: Pick<DeploySpec, 'instanceId' | 'instanceName' | 'owner' | 'ports' | 'labels'> & {
    replicas?: number;
  };
  running: boolean;
  /** Never passes readiness: a deploy of it waits its whole timeout, then fails. */
  neverReady?: boolean;
  exitCode: number | null;
  startedAt: number;
  logs: LogLine[];
  followers: Set<() => void>;
  server?: Server;
  /** Replicas that run (runtimes that scale): spec.replicas unless a test took some down. */
  replicasRunning?: number;
  /** The cluster's events about it, as a Kubernetes runtime reports them. */
  events?: ClusterEvent[];
}

export interface ScriptedRuntimeOptions {
  kind?: string;
  clock?: Clock;
  /** Opens a real HTTP server on each workload's first port (for the runtime contract suite). */
  serve?: boolean;
  /** Runs `replicas` (reports them as `node-1`, `node-2`…), like Swarm or Kubernetes. */
  scales?: boolean;
  /** With `scales`: changes the count of a running workload in place (`scale`; default true). */
  scalesInPlace?: boolean;
  /** With `scales`: the reason `scaleRefusal` gives for every template (as compose does for a published port). */
  scaleRefusal?: string;
}

/**
 * A Runtime in memory whose behaviour tests script: deploy results, crashes, workloads found after
 * a berth restart, bind failures, an engine that goes away. It keeps the runtime contract (the
 * shared suite runs it with `serve: true`), so a reconciler test against it means what it says.
 */
export class ScriptedRuntime implements Runtime {
  readonly kind: string;
  readonly scales: boolean;
  readonly scale?: Runtime['scale'];
  readonly scaleRefusal?: Runtime['scaleRefusal'];
  /** Every call that changed something, in order: `deploy <instance>`, `stop <handle>`… */
  readonly calls: string[] = [];
  private readonly workloads = new Map<string, Workload>();
  private readonly scripts: DeployScript[] = [];
  private readonly stopFailures: { error: Error; ended: boolean }[] = [];
  private readonly clock: Clock;
  private readonly serve: boolean;
  private seq = 0;
  private down = false;
  /** How awaitReady answers: by the workload's readiness, or this error. */
  adoptedReadiness: 'ready' | Error = 'ready';

  constructor(opts: ScriptedRuntimeOptions = {}) {
    this.kind = opts.kind ?? 'command';
    this.scales = opts.scales ?? false;
    if (this.scales && opts.scalesInPlace !== false)
      this.scale = (handle, spec, replicas, o) => this.scaleInPlace(handle, spec, replicas, o);
    const why = opts.scaleRefusal;
    if (why !== undefined) this.scaleRefusal = async (_t, _dir, replicas) => (replicas > 1 ? why : null);
    this.clock = opts.clock ?? systemClock;
    this.serve = opts.serve ?? false;
  }

  /** Of a scaling runtime's workload of `instanceId`, only `running` replicas run now (a lost node). */
  setRunningReplicas(instanceId: string, running: number): void {
    for (const w of this.workloads.values())
      if (w.spec.instanceId === instanceId) w.replicasRunning = running;
  }

  /** The cluster records an event about the workload of `instanceId` (it stays in what list reports). */
  addClusterEvent(instanceId: string, event: ClusterEvent): void {
    for (const w of this.workloads.values())
      if (w.spec.instanceId === instanceId) w.events = [...(w.events ?? []), event];
  }

  /** The next deploys fail with `error`, in order of calls. */
  failNextDeploy(error: Error): void {
    this.scripts.push({ kind: 'fail', error });
  }

  /** The next deploy cannot bind these ports (by the template's names): it throws PortBindFailed. */
  failNextBind(...ports: string[]): void {
    this.scripts.push({ kind: 'bind', ports });
  }

  /** The next deploy waits until the returned function is called (or its signal aborts). */
  holdNextDeploy(): () => void {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.scripts.push({ kind: 'hold', gate });
    return release;
  }

  /**
   * The next deploy starts a workload that never becomes ready: the deploy waits the whole
   * readiness timeout on the clock, then stops and removes the workload and fails, as the runtime
   * contract says.
   */
  failNextReadiness(): void {
    this.scripts.push({ kind: 'unready' });
  }

  /** The next stop fails with `error`, after the workload ended (`ended`) or leaving it running. */
  failNextStop(error: Error, opts: { ended: boolean }): void {
    this.stopFailures.push({ error, ended: opts.ended });
  }

  /** The workload exits on its own with `exitCode`. */
  crash(handle: WorkloadHandle | string, exitCode: number | null = 1): void {
    const w = this.get(handle);
    this.end(w, exitCode);
  }

  /** The workload disappears entirely (removed behind berth's back). */
  vanish(handle: WorkloadHandle | string): void {
    const w = this.get(handle);
    this.end(w, null);
    this.workloads.delete(w.handle.id);
  }

  /** The engine goes away (every call throws RuntimeUnavailable) or comes back. */
  setReachable(reachable: boolean): void {
    this.down = !reachable;
  }

  /** A workload that runs without any deploy of this runtime (found after a berth restart). */
  plant(w: { instanceId: string | null; instanceName?: string | null; owner: string; running?: boolean }) {
    const handle = this.newHandle();
    this.workloads.set(handle.id, {
      handle,
      spec: {
        instanceId: w.instanceId ?? '',
        instanceName: w.instanceName ?? w.instanceId ?? '',
        owner: w.owner,
        ports: [],
        labels: {},
      },
      running: w.running ?? true,
      exitCode: null,
      startedAt: this.clock.now(),
      logs: [],
      followers: new Set(),
    });
    return handle;
  }

  /** Workloads of one instance, newest last. */
  workloadsOf(instanceId: string): ObservedWorkload[] {
    return [...this.workloads.values()]
      .filter((w) => w.spec.instanceId === instanceId)
      .map((w) => observed(w, this.scales));
  }

  async deploy(spec: DeploySpec, opts: DeployOptions = {}): Promise<ObservedWorkload> {
    this.reachable();
    opts.signal?.throwIfAborted();
    this.calls.push(`deploy ${spec.instanceName}`);
    const unready = await this.runScript(spec, opts.signal);
    const w = this.start(spec);
    if (unready) w.neverReady = true;
    if (this.serve) await this.listen(w, spec);
    try {
      await this.waitReady(w, spec, { timeoutMs: opts.timeoutMs ?? spec.readinessTimeoutMs, ...opts });
    } catch (err) {
      await this.kill(w.handle);
      await this.remove(w.handle);
      throw err;
    }
    return observed(w, this.scales);
  }

  async awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    this.reachable();
    const w = this.get(handle);
    opts.signal?.throwIfAborted();
    if (this.adoptedReadiness !== 'ready') throw this.adoptedReadiness;
    // A planted workload's ports are unknown: it is ready unless adoptedReadiness says otherwise.
    if (w.spec.ports.length > 0) await this.waitReady(w, spec, opts);
  }

  /** The same workload, now running `replicas` (they keep running: no stop, no new handle). */
  private async scaleInPlace(
    handle: WorkloadHandle,
    spec: DeploySpec,
    replicas: number,
    opts: DeployOptions = {},
  ): Promise<ObservedWorkload> {
    this.reachable();
    opts.signal?.throwIfAborted();
    const w = this.get(handle);
    if (!w.running) throw new Error(`${spec.instanceName} does not run: nothing to scale`);
    this.calls.push(`scale ${handle.id} ${replicas}`);
    w.spec = { ...w.spec, replicas };
    delete w.replicasRunning;
    return observed(w, this.scales);
  }

  /** A workload labelled `IGNORES_TERM` outlives the graceful stop and is killed after `timeoutMs`. */
  async stop(handle: WorkloadHandle, timeoutMs: number): Promise<void> {
    this.reachable();
    this.calls.push(`stop ${handle.id}`);
    const w = this.workloads.get(handle.id);
    const failure = this.stopFailures.shift();
    if (failure) {
      if (failure.ended) this.end(w, 143);
      throw failure.error;
    }
    if (w?.spec.labels[IGNORES_TERM]) await this.clock.sleep(timeoutMs);
    this.end(w, w?.spec.labels[IGNORES_TERM] ? 137 : 143);
  }

  async kill(handle: WorkloadHandle): Promise<void> {
    this.reachable();
    this.calls.push(`kill ${handle.id}`);
    this.end(this.workloads.get(handle.id), 137);
  }

  async remove(handle: WorkloadHandle): Promise<void> {
    this.reachable();
    this.calls.push(`remove ${handle.id}`);
    this.workloads.delete(handle.id);
  }

  async inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined> {
    this.reachable();
    const w = this.workloads.get(handle.id);
    return w ? observed(w, this.scales) : undefined;
  }

  async list(owner: string): Promise<ObservedWorkload[]> {
    this.reachable();
    return [...this.workloads.values()]
      .filter((w) => w.spec.owner === owner)
      .map((w) => observed(w, this.scales));
  }

  async *logs(handle: WorkloadHandle, query: LogQuery): AsyncIterable<LogLine> {
    const w = this.get(handle);
    const tail = query.tail ?? w.logs.length;
    let next = Math.max(0, w.logs.length - tail);
    for (;;) {
      while (next < w.logs.length) yield w.logs[next++]!;
      if (!query.follow || query.signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          w.followers.delete(wake);
          query.signal?.removeEventListener('abort', wake);
          resolve();
        };
        w.followers.add(wake);
        query.signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async stats(handles: WorkloadHandle[]): Promise<Map<string, Omit<ResourceSample, 'ts' | 'diskBytes'>>> {
    this.reachable();
    const out = new Map<string, Omit<ResourceSample, 'ts' | 'diskBytes'>>();
    for (const h of handles) {
      if (this.workloads.get(h.id)?.running)
        out.set(h.id, { cpuPercent: 0.5, memoryBytes: 16 * 1024 * 1024, memoryPercent: 0.2 });
    }
    return out;
  }

  /** Runs the next script, if any; true when the workload it starts must never be ready. */
  private async runScript(spec: DeploySpec, signal: AbortSignal | undefined): Promise<boolean> {
    const script = this.scripts.shift();
    if (!script) return false;
    if (script.kind === 'fail') throw script.error;
    if (script.kind === 'bind') throw bindFailure(spec.ports.filter((p) => script.ports.includes(p.name)));
    if (script.kind === 'unready') return true;
    await Promise.race([script.gate, aborted(signal)]);
    return false;
  }

  private start(spec: DeploySpec): Workload {
    const w: Workload = {
      handle: this.newHandle(),
      spec,
      running: true,
      exitCode: null,
      startedAt: this.clock.now(),
      logs: [],
      followers: new Set(),
    };
    this.workloads.set(w.handle.id, w);
    this.log(w, 'stdout', `hello ${spec.instanceName}`);
    this.log(w, 'stderr', `warn ${spec.instanceName}`);
    return w;
  }

  private async listen(w: Workload, spec: DeploySpec): Promise<void> {
    const port = spec.ports[0];
    if (!port) return;
    const server = createServer((req, res) => {
      const say = new URL(req.url ?? '/', 'http://x').searchParams.get('say');
      if (say) this.log(w, 'stdout', say);
      res.end('ok');
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port.hostPort, resolve);
      });
    } catch (err) {
      this.workloads.delete(w.handle.id);
      throw bindFailure([port], err);
    }
    w.server = server;
  }

  /** Ready unless scripted never to be, or the readiness waits on a port the workload does not have: then it times out. */
  private async waitReady(w: Workload, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    opts.signal?.throwIfAborted();
    const r = spec.readiness;
    const portMissing = r.kind === 'port' && !w.spec.ports.some((p) => p.hostPort === r.port);
    if (!w.neverReady && !portMissing) return;
    await this.clock.sleep(opts.timeoutMs, opts.signal);
    const what = r.kind === 'port' ? ` (port ${r.port})` : '';
    throw new Error(`${spec.instanceName} was not ready within ${opts.timeoutMs} ms${what}`);
  }

  private end(w: Workload | undefined, exitCode: number | null): void {
    if (!w?.running) return;
    w.running = false;
    w.exitCode = exitCode;
    w.server?.close();
    w.server?.closeAllConnections();
  }

  private log(w: Workload, stream: LogLine['stream'], line: string): void {
    w.logs.push({ ts: this.clock.now(), stream, line });
    for (const wake of [...w.followers]) wake();
  }

  private get(handle: WorkloadHandle | string): Workload {
    const id = typeof handle === 'string' ? handle : handle.id;
    const w = this.workloads.get(id);
    if (!w) throw new Error(`no scripted workload ${id}`);
    return w;
  }

  private newHandle(): WorkloadHandle {
    this.seq++;
    return { runtime: this.kind, id: `${this.kind}-${this.seq}`, meta: { pid: 10_000 + this.seq } };
  }

  private reachable(): void {
    if (this.down) throw new RuntimeUnavailable(`the ${this.kind} engine is not reachable`);
  }
}

function observed(w: Workload, scales: boolean): ObservedWorkload {
  return {
    ...(scales ? { replicas: replicasOf(w) } : {}),
    ...(w.events ? { events: [...w.events] } : {}),
    handle: w.handle,
    running: w.running,
    pid: w.running ? Number(w.handle.meta.pid) : null,
    exitCode: w.exitCode,
    startedAt: w.startedAt,
    ports: Object.fromEntries(w.spec.ports.map((p) => [p.name, p.hostPort])),
    instanceId: w.spec.instanceId || null,
    instanceName: w.spec.instanceName || null,
    owner: w.spec.owner,
  };
}

function replicasOf(w: Workload): NonNullable<ObservedWorkload['replicas']> {
  const desired = w.spec.replicas ?? 1;
  const running = w.running ? (w.replicasRunning ?? desired) : 0;
  const items = Array.from({ length: desired }, (_, i) => ({
    node: `node-${i + 1}`,
    state: i < running ? 'running' : 'failed',
    message: i < running ? null : 'node lost',
  }));
  return { desired, running, items };
}

function bindFailure(ports: ResolvedPort[], cause?: unknown): PortBindFailed {
  const failed = ports.map((p) => ({ name: p.name, hostPort: p.hostPort, protocol: p.protocol }));
  const words = failed.map((p) => p.hostPort).join(', ');
  return new PortBindFailed(`cannot bind port ${words}: address already in use`, {
    ports: failed,
    exact: true,
    cause,
  });
}

function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
