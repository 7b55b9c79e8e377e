import { totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AwaitReadyOptions,
  bindFailureIn,
  type DeployOptions,
  type DeploySpec,
  type ListOptions,
  type Logger,
  type LogLine,
  type LogQuery,
  type ObservedWorkload,
  type ResourceSample,
  type Runtime,
  silentLogger,
  TimeSlices,
  Unprocessable,
  type WorkloadHandle,
} from '@berth/core';
import {
  isDead,
  LogIndexers,
  type LogRotationFeed,
  type LogStream,
  logFilePath,
  logOffsets,
  mapInSlices,
  type ProcStat,
  pageSize,
  readLastLines,
  readLogs,
  readProcessTable,
  readProcStat,
  readProcStatSync,
  ticksToEpochMs,
  WaitTimedOut,
} from '@berth/host';
import { AdoptedWatch, type Identity } from './adopted-watch.js';
import { ChildRegistry, type ExitInfo } from './child-registry.js';
import { CpuMeter } from './cpu-meter.js';
import { type Markers, readMarkers, readMarkersSync } from './markers.js';
import { killGroup, stopGroup } from './process-group.js';
import { ProcessTrees } from './process-trees.js';
import { describeReadiness, waitReady } from './readiness.js';
import { prepareLogFiles, spawnWorkload } from './spawn-workload.js';
import { Spawner } from './spawner.js';

export interface ProcessRuntimeOptions {
  log?: Logger;
  /** Shared with the server's log rotator, so log follows continue across rotations. */
  logRotations?: LogRotationFeed;
  /** Who indexes the log files (when each line was written); one per server. */
  logIndexers?: LogIndexers;
}

function identity(handle: WorkloadHandle): Identity {
  const pid = Number(handle.meta.pid ?? handle.id);
  return { pid, startTicks: Number(handle.meta.startTicks), pgid: Number(handle.meta.pgid ?? pid) };
}

function handleOf(stat: ProcStat, logDir: string | null): WorkloadHandle {
  return {
    runtime: 'process',
    id: String(stat.pid),
    meta: { pid: stat.pid, startTicks: stat.startTicks, pgid: stat.pgid, logDir },
  };
}

/** The handle of a child this berth spawned: in its own session, so its group is its pid. */
function handleOfChild(id: Identity, logDir: string | null): WorkloadHandle {
  return {
    runtime: 'process',
    id: String(id.pid),
    meta: { pid: id.pid, startTicks: id.startTicks, pgid: id.pid, logDir },
  };
}

/**
 * The embedded runtime: native processes on this machine, no Docker needed. Each workload runs in
 * its own session with stdout/stderr in files, carries BERTH_* env markers, and is known by pid
 * AND start time, so berth can adopt it after a restart and never mistakes a recycled pid for it.
 */
/** How many of a failed workload's last stderr lines are searched for a failed bind (Node's trace is ~20). */
const BIND_LINES = 50;

export class ProcessRuntime implements Runtime {
  readonly kind = 'process';
  private readonly log: Logger;
  private readonly children = new ChildRegistry();
  private readonly spawner = new Spawner();
  private readonly adopted = new AdoptedWatch();
  private readonly cpu = new CpuMeter();
  private readonly trees = new ProcessTrees();
  /** Markers by `pid:startTicks` (see inspect). */
  private readonly markers = new Map<string, Markers | undefined>();
  /**
   * The tick's list, per running child and per handle: made once, not 10,000 new objects a second
   * (an idle server's garbage at 10,000 instances, promoted while the sliced tick ran, and
   * collected in major collections every 4–5 s).
   */
  private readonly childSeen = new Map<string, ObservedWorkload>();
  private readonly keys = new WeakMap<WorkloadHandle, { id: Identity; key: string }>();
  private readonly logRotations: LogRotationFeed | undefined;
  private readonly logIndexers: LogIndexers;
  /** Log directories of the processes berth started or adopted, kept indexed while they run. */
  private readonly indexed = new Map<string, Promise<() => void>>();

  constructor(opts: ProcessRuntimeOptions = {}) {
    this.log = (opts.log ?? silentLogger).child({ ns: 'runtime:process' });
    this.logRotations = opts.logRotations;
    this.logIndexers = opts.logIndexers ?? new LogIndexers({ rotations: opts.logRotations });
  }

  /**
   * Keeps a workload's log files indexed, so each line gets the time it was written. The process
   * writes the files itself (it outlives berth); berth only watches them.
   */
  private keepIndexed(logDir: string): Promise<unknown> {
    let held = this.indexed.get(logDir);
    if (!held) {
      held = this.logIndexers.acquire(logDir).then((a) => a.release);
      this.indexed.set(logDir, held);
      held.catch((err: unknown) => {
        this.indexed.delete(logDir);
        this.log.warn({ logDir, err: String(err) }, `Failed to index the logs in ${logDir}`);
      });
    }
    return held.catch(() => undefined);
  }

  /** After the process is gone: indexes its last lines, then stops watching. */
  private async stopIndexing(handle: WorkloadHandle): Promise<void> {
    const logDir = typeof handle.meta.logDir === 'string' ? handle.meta.logDir : undefined;
    const held = logDir ? this.indexed.get(logDir) : undefined;
    if (!logDir || !held) return;
    this.indexed.delete(logDir);
    const release = await held.catch(() => undefined);
    const last = await this.logIndexers.acquire(logDir).catch(() => undefined);
    await last?.indexer.catchUp().catch(() => undefined);
    last?.release();
    release?.();
  }

  async deploy(spec: DeploySpec, opts: DeployOptions = {}): Promise<ObservedWorkload> {
    opts.signal?.throwIfAborted();
    const log = this.log.child({ instance: spec.instanceName });
    log.info({ command: spec.command[0] }, `Starting ${spec.instanceName}…`);
    try {
      const observed = await this.start(spec, opts);
      log.info({ pid: observed.pid }, `Started ${spec.instanceName}`);
      return observed;
    } catch (err) {
      log.warn({ err: String(err) }, `Failed to start ${spec.instanceName}: ${String(err)}`);
      throw err;
    }
  }

  private async start(spec: DeploySpec, opts: DeployOptions): Promise<ObservedWorkload> {
    // The folder and files are made before the watch: without the folder the indexer would fall
    // back to polling, and files created by the spawn would wake it for a pass over two empty
    // files just as the readiness wait begins. The watch is set up while the program starts (it
    // took ~30 ms of a busy host's thread pool before each spawn); a line written before it is
    // ready still gets a time between the file's creation and its first look.
    const offsets = prepareLogFiles(spec.logDir);
    const indexed = this.keepIndexed(spec.logDir);
    const child = await spawnWorkload(this.spawner, spec, offsets);
    await indexed;
    const pid = child.pid;
    const stat = await readProcStat(pid);
    const exited = this.children.track(pid, stat?.startTicks ?? -1, child.exited);
    // Already gone before berth could look at it: nothing to wait for.
    if (!stat) throw await this.goneError(spec, { pid, startTicks: -1, pgid: pid }, offsets.stderr);
    const handle: WorkloadHandle = {
      runtime: 'process',
      id: String(pid),
      meta: { pid, startTicks: stat.startTicks, pgid: stat.pgid, logDir: spec.logDir },
    };
    const timeoutMs = opts.timeoutMs ?? spec.readinessTimeoutMs;
    const stopWaiting = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stopWaiting.signal]) : stopWaiting.signal;
    const early = exitWhileWaiting(exited);
    const exitedEarly = early.exit.then(async (exit): Promise<never> => {
      throw await this.exitedError(spec, exit, offsets.stderr);
    });
    try {
      await Promise.race([waitReady(spec, { signal, timeoutMs, logOffsets: offsets }), exitedEarly]);
    } catch (err) {
      early.stop();
      stopWaiting.abort();
      await killGroup(pid);
      throw await this.readinessError(spec, err, opts.signal, offsets.stderr);
    } finally {
      early.stop();
      stopWaiting.abort();
    }
    const markers = markersOf(spec);
    this.markers.set(`${pid}:${stat.startTicks}`, markers);
    return this.observed(handle, stat, true, null, markers);
  }

  /**
   * For a process found running after a berth restart: waits like deploy() does, reading only the
   * log lines written since it started (its BERTH_LOG_FROM marker), and fails as soon as it is gone.
   */
  async awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    opts.signal?.throwIfAborted();
    const id = identity(handle);
    void this.keepIndexed(spec.logDir);
    const from = await this.logStart(id.pid, spec.logDir);
    const alive = () => {
      const stat = readProcStatSync(id.pid);
      return stat !== undefined && stat.startTicks === id.startTicks && !isDead(stat);
    };
    const stopWaiting = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stopWaiting.signal]) : stopWaiting.signal;
    const exited = untilGone(alive, signal).then(async (gone) => {
      if (gone) throw await this.goneError(spec, id, from.stderr);
      signal.throwIfAborted();
    });
    exited.catch(() => undefined);
    try {
      await Promise.race([waitReady(spec, { signal, timeoutMs: opts.timeoutMs, logOffsets: from }), exited]);
    } catch (err) {
      throw await this.readinessError(spec, err, opts.signal, from.stderr);
    } finally {
      stopWaiting.abort();
    }
  }

  /** Where the process's own lines begin: its marker, unless the files were rotated since (then 0). */
  private async logStart(pid: number, logDir: string): Promise<Record<LogStream, number>> {
    const marked = (await readMarkers(pid))?.logFrom;
    const now = await logOffsets(logDir);
    const at = (s: LogStream) => {
      const m = marked?.[s];
      return m !== undefined && m <= now[s] ? m : 0;
    };
    return { stdout: at('stdout'), stderr: at('stderr') };
  }

  private async goneError(spec: DeploySpec, id: Identity, stderrFrom: number) {
    const exit = await this.children.exitSoon(id.pid, id.startTicks);
    if (exit) return this.exitedError(spec, exit, stderrFrom);
    const stderr = await this.lastStderr(spec, stderrFrom);
    const failed = new Unprocessable(`${spec.instanceName} exited before it was ready${stderr}`, {
      code: 'WORKLOAD_EXITED',
    });
    return this.bindFailure(spec, stderrFrom, failed);
  }

  /**
   * A workload that failed because a port was taken says so on stderr (Node's "listen
   * EADDRINUSE", C's "bind: Address already in use"), often above a stack trace longer than the
   * lines a message shows: that failure becomes PortBindFailed naming the ports, with the
   * runtime's own error as its cause; any other failure stays as it is.
   */
  private async bindFailure(spec: DeploySpec, stderrFrom: number, failed: Unprocessable): Promise<Error> {
    const lines = await readLastLines(logFilePath(spec.logDir, 'stderr'), BIND_LINES, { start: stderrFrom });
    const message = `A port of ${spec.instanceName} is already in use: ${failed.message}`;
    return bindFailureIn(lines.join('\n'), spec.ports, { message, cause: failed }) ?? failed;
  }

  private async lastStderr(spec: DeploySpec, from: number): Promise<string> {
    const lines = await readLastLines(logFilePath(spec.logDir, 'stderr'), 5, { start: from });
    return lines.length > 0 ? `; last lines of stderr:\n${lines.join('\n')}` : '';
  }

  private async exitedError(spec: DeploySpec, exit: ExitInfo, stderrFrom: number) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const stderr = await this.lastStderr(spec, stderrFrom);
    const failed = new Unprocessable(`${spec.instanceName} ${how} before it was ready${stderr}`, {
      code: 'WORKLOAD_EXITED',
      details: { exitCode: exit.code },
    });
    return this.bindFailure(spec, stderrFrom, failed);
  }

  private async readinessError(
    spec: DeploySpec,
    err: unknown,
    signal: AbortSignal | undefined,
    from: number,
  ) {
    if (signal?.aborted) return signal.reason;
    if (!(err instanceof WaitTimedOut)) return err;
    const stderr = await this.lastStderr(spec, from);
    const failed = new Unprocessable(
      `${spec.instanceName} was not ready within ${err.timeoutMs} ms (waited for ${describeReadiness(spec)})` +
        stderr,
      { code: 'READINESS_TIMEOUT', cause: err },
    );
    return this.bindFailure(spec, from, failed);
  }

  private observed(
    handle: WorkloadHandle,
    stat: ProcStat | undefined,
    running: boolean,
    exitCode: number | null,
    markers: Markers | undefined,
    child?: Identity,
  ): ObservedWorkload {
    const startTicks = stat?.startTicks ?? child?.startTicks;
    return {
      handle,
      running,
      pid: Number(handle.id),
      exitCode,
      startedAt: startTicks !== undefined ? ticksToEpochMs(startTicks) : null,
      ports: markers?.ports ?? {},
      instanceId: markers?.instanceId ?? null,
      instanceName: markers?.instanceName ?? null,
      owner: markers?.owner ?? null,
    };
  }

  /**
   * Called for each instance the reconciler converges (every one after a restart), so it reads
   * /proc synchronously (two tiny files through the thread pool cost ~10x the CPU) and keeps each
   * process's markers: its environ never changes. The tick does not inspect every instance: it
   * lists each runtime's workloads once (see Reconciler.tick), as 1,000 inspections a second
   * would keep ~40 % of a core busy on an idle server.
   */
  async inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined> {
    const id = identity(handle);
    const stat = readProcStatSync(id.pid);
    const key = `${id.pid}:${id.startTicks}`;
    if (!stat || stat.startTicks !== id.startTicks) {
      this.markers.delete(key);
      if (!this.children.spawned(id.pid, id.startTicks)) return undefined;
      const exit = await this.children.exitSoon(id.pid, id.startTicks);
      return this.observed(handle, undefined, false, exit?.code ?? null, undefined);
    }
    const dead = isDead(stat);
    const exit = dead
      ? await this.children.exitSoon(id.pid, id.startTicks)
      : this.children.exitOf(id.pid, id.startTicks);
    return this.observed(handle, stat, !dead, exit?.code ?? null, this.markersOf(key, id.pid));
  }

  /**
   * Only markers that were found are kept: a process caught between fork and exec still shows its
   * parent's environment, and a later look must see the workload's own.
   */
  private markersOf(key: string, pid: number): Markers | undefined {
    const cached = this.markers.get(key);
    if (cached) return cached;
    const markers = readMarkersSync(pid);
    if (!markers) return undefined;
    if (this.markers.size >= 100_000) this.markers.clear();
    this.markers.set(key, markers);
    return markers;
  }

  /** The process group to signal, or undefined when the pid now belongs to another process. */
  private async groupOf(handle: WorkloadHandle): Promise<number | undefined> {
    const id = identity(handle);
    const stat = await readProcStat(id.pid);
    if (stat && stat.startTicks !== id.startTicks) return undefined;
    // Leader gone: a pgid is not reused while any member lives, so members left are ours.
    return id.pgid;
  }

  async stop(handle: WorkloadHandle, timeoutMs: number): Promise<void> {
    const pgid = await this.groupOf(handle);
    if (pgid !== undefined) await stopGroup(pgid, timeoutMs);
    await this.stopIndexing(handle);
  }

  async kill(handle: WorkloadHandle): Promise<void> {
    const pgid = await this.groupOf(handle);
    if (pgid !== undefined) await killGroup(pgid);
    await this.stopIndexing(handle);
  }

  async remove(handle: WorkloadHandle): Promise<void> {
    await this.kill(handle);
    const id = identity(handle);
    this.children.forget(id.pid, id.startTicks);
    this.childSeen.delete(`${id.pid}:${id.startTicks}`);
    this.cpu.forget(handle.id);
  }

  /**
   * With `opts.known` only those pids are read (stat, plus environ once per process): the
   * reconciler lists every tick, and scanning all of /proc for a handful of workloads made the
   * idle server's cost follow the machine's process count (~1,000 opens/s and ~2.5 % of a core
   * with 1,000 unrelated processes). Without it, every process in /proc (recover, orphans).
   */
  async list(owner: string, opts: ListOptions = {}): Promise<ObservedWorkload[]> {
    if (opts.known) return this.listKnown(owner, opts.known);
    const table = await readProcessTable();
    // berth's workloads lead their own session and group; their children share the group.
    const leaders = table.filter((s) => s.pid === s.pgid && s.pid === s.sid && s.ppid !== 2 && !isDead(s));
    // The reconciler lists every tick: markers are read once per process (see markersOf), and
    // those of processes that are gone are dropped here.
    const found = await mapInSlices(leaders, (s) => ({
      s,
      m: this.markersOf(`${s.pid}:${s.startTicks}`, s.pid),
    }));
    const alive = new Set(leaders.map((s) => `${s.pid}:${s.startTicks}`));
    for (const key of this.markers.keys()) if (!alive.has(key)) this.markers.delete(key);
    const ours = found.filter(({ m }) => m?.owner === owner);
    // Found running (after a restart, berth's lines written meanwhile are marked approximate).
    for (const { m } of ours) if (m?.logDir) void this.keepIndexed(m.logDir);
    return ours.map(({ s, m }) => this.observed(handleOf(s, m?.logDir ?? null), s, true, null, m));
  }

  /**
   * The tick's list. A child of this berth runs until its 'exit' event says otherwise, so it costs
   * no read of /proc; only processes found running after a restart (adopted) are looked at
   * (`AdoptedWatch`). With 10,000 workloads, a stat read of each every second was ~15 % of a core.
   */
  private async listKnown(owner: string, known: WorkloadHandle[]): Promise<ObservedWorkload[]> {
    const out: ObservedWorkload[] = [];
    const seen = new Set<string>();
    const adopted: Identity[] = [];
    const slices = new TimeSlices();
    for (const handle of known) {
      if (slices.due()) await slices.turn();
      if (handle.runtime !== this.kind) continue;
      const { id, key } = this.keyOf(handle);
      if (seen.has(key)) continue;
      seen.add(key);
      const running = this.children.running(id.pid, id.startTicks);
      const m = running ? this.markers.get(key) : undefined;
      if (running === false) {
        this.markers.delete(key);
        this.childSeen.delete(key);
      } else if (m) {
        if (m.owner === owner) out.push(this.childObserved(key, id, m));
      } else adopted.push(id);
    }
    if (this.childSeen.size > seen.size + 16)
      for (const key of this.childSeen.keys()) if (!seen.has(key)) this.childSeen.delete(key);
    for (const w of await this.adopted.list(adopted, (id) => this.lookAt(id)))
      if (w.owner === owner) out.push(w);
    return out;
  }

  /** A handle's identity and key, read once per handle object (the tick hands the same ones in). */
  private keyOf(handle: WorkloadHandle): { id: Identity; key: string } {
    let known = this.keys.get(handle);
    if (!known) {
      const id = identity(handle);
      known = { id, key: `${id.pid}:${id.startTicks}` };
      this.keys.set(handle, known);
    }
    return known;
  }

  /** A running child as the tick's list gives it: the same (frozen) object every list while it runs. */
  private childObserved(key: string, id: Identity, m: Markers): ObservedWorkload {
    let w = this.childSeen.get(key);
    if (!w) {
      w = Object.freeze(this.observed(handleOfChild(id, m.logDir), undefined, true, null, m, id));
      this.childSeen.set(key, w);
    }
    return w;
  }

  /** A full look at one process in /proc: that very process, alive, leading its session and group. */
  private lookAt(id: Identity): ObservedWorkload | undefined {
    const key = `${id.pid}:${id.startTicks}`;
    const s = readProcStatSync(id.pid);
    if (!s || s.startTicks !== id.startTicks || isDead(s) || s.pid !== s.pgid || s.pid !== s.sid) {
      this.markers.delete(key);
      return undefined;
    }
    const m = this.markersOf(key, s.pid);
    if (!m) return undefined;
    if (m.logDir && !this.indexed.has(m.logDir)) void this.keepIndexed(m.logDir);
    return this.observed(handleOf(s, m.logDir), s, true, null, m);
  }

  async *logs(
    handle: WorkloadHandle,
    query: LogQuery,
    spec?: Pick<DeploySpec, 'logDir'>,
  ): AsyncGenerator<LogLine> {
    const logDir =
      spec?.logDir ??
      (typeof handle.meta.logDir === 'string' ? handle.meta.logDir : undefined) ??
      (await readMarkers(identity(handle).pid))?.logDir;
    if (!logDir) return;
    yield* readLogs(logDir, query, this.logRotations, this.logIndexers);
  }

  /** CPU and memory of each workload's whole process tree (see ProcessTrees). */
  async stats(handles: WorkloadHandle[]): Promise<Map<string, Omit<ResourceSample, 'ts' | 'diskBytes'>>> {
    const total = totalmem();
    const out = new Map<string, Omit<ResourceSample, 'ts' | 'diskBytes'>>();
    const trees = await this.trees.of(handles.map((h) => ({ key: h.id, ...identity(h) })));
    for (const [key, tree] of trees) {
      const memoryBytes = tree.reduce((sum, s) => sum + s.rssPages, 0) * pageSize();
      out.set(key, {
        cpuPercent: this.cpu.percent(key, tree),
        memoryBytes,
        memoryPercent: (memoryBytes / total) * 100,
      });
    }
    return out;
  }
}

/** Resolves true once `alive` says no (checked every 100 ms), false when the signal ends the watch. */
async function untilGone(alive: () => boolean, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    if (!alive()) return true;
    await sleep(100, undefined, { signal }).catch(() => undefined);
  }
  return false;
}

function markersOf(spec: DeploySpec): Markers {
  return {
    owner: spec.owner,
    instanceId: spec.instanceId,
    instanceName: spec.instanceName,
    template: spec.template,
    logDir: spec.logDir,
    ports: Object.fromEntries(spec.ports.map((p) => [p.name, p.hostPort])),
  };
}

/**
 * The child's exit while its readiness is awaited, and nothing after `stop()`. The reaction left on
 * `exited` (which lives as long as the process) holds a box alone: holding the wait itself kept
 * each running instance's spec, log offsets and race alive, ~2.6 KB each (10,000: 26 MB).
 */
function exitWhileWaiting(exited: Promise<ExitInfo | undefined>): { exit: Promise<ExitInfo>; stop(): void } {
  const box: { tell?: (exit: ExitInfo) => void } = {};
  const exit = new Promise<ExitInfo>((resolve) => {
    box.tell = resolve;
  });
  void exited.then((info) => {
    if (info) box.tell?.(info);
  });
  return {
    exit,
    stop() {
      box.tell = undefined;
    },
  };
}
