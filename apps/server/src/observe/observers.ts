import {
  type Clock,
  type Logger,
  ResourceSampler,
  type RuntimeResolver,
  type Store,
  TimeSlices,
  type Workspace,
} from '@berth/core';
import { DuDiskUsage, type LogRotationFeed, LogRotator, ProcHostStats } from '@berth/host';
import type { ObserveSettings } from './observe-settings.js';

export interface ObserverDeps {
  store: Store;
  runtimes: RuntimeResolver;
  workspace: Workspace;
  clock: Clock;
  log: Logger;
  logRotations: LogRotationFeed;
}

/**
 * The resource sampler (one pass per tick for every running instance, plus the host) and the
 * rotation of running processes' log files, each on its own timer; `stop()` ends both.
 */
export function startObservers(d: ObserverDeps, settings: ObserveSettings) {
  const sampler = new ResourceSampler(
    {
      store: d.store,
      runtimes: d.runtimes,
      clock: d.clock,
      log: d.log.child({ ns: 'sampler' }),
      host: new ProcHostStats(),
      diskUsage: new DuDiskUsage(),
    },
    { capacity: settings.sampleHistory, diskTtlMs: Math.max(60_000, settings.sampleSeconds * 12_000) },
  );
  const rotator = new LogRotator(
    d.logRotations,
    { maxBytes: settings.logMaxBytes, keep: settings.logKeep },
    d.log,
  );
  sampler.start(settings.sampleSeconds * 1000);
  void sampler.sampleOnce();
  let rotating = false;
  const turn: RotationTurn = { next: 0, runtimes: new Map() };
  const rotateAll = async () => {
    if (rotating) return;
    rotating = true;
    try {
      await rotateRunningProcessLogs(d, rotator, turn);
    } finally {
      rotating = false;
    }
  };
  const timer = setInterval(() => void rotateAll(), settings.logRotateSeconds * 1000);
  timer.unref?.();
  return {
    sampler,
    rotator,
    rotateAll,
    stop(): void {
      sampler.stop();
      clearInterval(timer);
    },
  };
}

export type Observers = ReturnType<typeof startObservers>;

/** At most this many instances' logs are looked at per pass, in turn (see rotateRunningProcessLogs). */
const ROTATE_PER_PASS = 1_000;

/**
 * Directories looked at together. A pass over 1,000 once started 2,000 stats at a time: a burst of
 * requests and promises in flight that ended in a 50–70 ms collection, while GET /instances waited.
 */
const ROTATE_AT_ONCE = 8;

/** Where the next pass starts, and each running deployment's runtime (a deployment never changes it). */
interface RotationTurn {
  next: number;
  runtimes: Map<string, string | undefined>;
}

/**
 * One pass of log rotation over the running process instances: all of them up to ROTATE_PER_PASS,
 * beyond that the next ROTATE_PER_PASS in turn (with 10,000 running, each instance's files are
 * looked at every 10 passes instead of 20,000 stats every pass).
 */
async function rotateRunningProcessLogs(
  d: ObserverDeps,
  rotator: LogRotator,
  turn: RotationTurn,
): Promise<void> {
  const running = d.store.instances.list({ status: 'running' });
  const n = running.length;
  const slice =
    n <= ROTATE_PER_PASS
      ? running
      : Array.from({ length: ROTATE_PER_PASS }, (_, i) => running[(turn.next + i) % n]!);
  turn.next = n <= ROTATE_PER_PASS ? 0 : (turn.next + ROTATE_PER_PASS) % n;
  if (turn.runtimes.size > 2 * n + 16) turn.runtimes.clear();
  const dirs: string[] = [];
  for (const inst of slice) {
    const id = inst.currentDeploymentId;
    if (!id) continue;
    if (!turn.runtimes.has(id)) turn.runtimes.set(id, d.store.deployments.find(id)?.runtime);
    if (turn.runtimes.get(id) === 'process') dirs.push(d.workspace.logDir(inst.id));
  }
  let next = 0;
  const slices = new TimeSlices();
  const rotateInTurn = async () => {
    while (next < dirs.length) {
      if (slices.due()) await slices.turn();
      const dir = dirs[next++]!;
      await rotator.rotateDir(dir).catch((err: unknown) => {
        d.log.warn({ ns: 'logs', dir, err: String(err) }, 'Failed to rotate logs');
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(ROTATE_AT_ONCE, dirs.length) }, rotateInTurn));
}
