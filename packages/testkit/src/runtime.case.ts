import { createServer } from 'node:net';
import {
  type DeploySpec,
  isStatsUnavailable,
  type LogLine,
  type ObservedWorkload,
  PortBindFailed,
  type Runtime,
  type WorkloadHandle,
} from '@berth/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

export interface WorkloadOptions {
  instanceId: string;
  name: string;
  port: number;
}

/**
 * What an adapter hands the contract suite. The workload `specFor` describes must:
 * - answer HTTP 200 on `port` (any path) and be ready (spec.readiness) once it does;
 * - print `hello <name>` on stdout and `warn <name>` on stderr when it starts;
 * - print the value of `?say=<text>` on stdout, one line per request that carries it.
 * The spec's `owner` must be the fixture's `owner`; the suite replaces it to test isolation.
 */
export interface RuntimeFixture {
  runtime: Runtime;
  owner: string;
  specFor(opts: WorkloadOptions): DeploySpec;
  /** The same workload, but it ignores SIGTERM. Omit when the runtime cannot express it. */
  specIgnoringTermFor?(opts: WorkloadOptions): DeploySpec;
  /** A free host port; defaults to one in 25800–25899 found by binding it. */
  freePort?(): Promise<number>;
  cleanup(): Promise<void>;
}

/** A free TCP port in [from, to], found by binding it on all interfaces. */
/**
 * A wait of 1.5 s that fails must end well before the runtimes' default readiness timeouts (≥ 30 s):
 * the time left over is for removing what was started, which takes a compose or swarm runtime
 * several seconds on a busy machine.
 */
const GAVE_UP_WITHIN = 1_500 + 12_000;

export async function freePortInRange(from = 25800, to = 25899): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

export interface RuntimeCapabilities {
  /** The adapter can run a workload that ignores SIGTERM (`specIgnoringTermFor`), to test forced stop. */
  forcedStop?: boolean;
}

const gone = (w: ObservedWorkload | undefined) => w === undefined || !w.running;

/**
 * The runtime contract every adapter runs: `runtimeContract('process', async () => fixture)`.
 * Expressed only through the Runtime interface, so the Docker runtime runs the same cases.
 */
export function runtimeContract(
  name: string,
  setup: () => Promise<RuntimeFixture>,
  capabilities: RuntimeCapabilities = { forcedStop: true },
): void {
  describe(`runtime contract: ${name}`, () => {
    let fx: RuntimeFixture;
    let deployed: WorkloadHandle[] = [];
    let seq = 0;

    beforeAll(async () => {
      fx = await setup();
    });

    afterEach(async () => {
      await Promise.allSettled(deployed.map((h) => fx.runtime.kill(h).then(() => fx.runtime.remove(h))));
      deployed = [];
    });

    afterAll(async () => {
      await fx?.cleanup();
    });

    const port = () => (fx.freePort ? fx.freePort() : freePortInRange());

    /**
     * A free port other than the workload's own: drawn from the same small range, it was the
     * workload's port one time in 50, and a probe "nothing answers there" then found it answering.
     */
    async function silentPort(workloadPort: number): Promise<number> {
      for (;;) {
        const p = await port();
        if (p !== workloadPort) return p;
      }
    }

    async function options(): Promise<WorkloadOptions> {
      seq++;
      return { instanceId: `contract-${process.pid}-${seq}`, name: `contract-${seq}`, port: await port() };
    }

    async function deploy(spec: DeploySpec, signal?: AbortSignal): Promise<ObservedWorkload> {
      const w = await fx.runtime.deploy(spec, signal ? { signal } : {});
      deployed.push(w.handle);
      return w;
    }

    async function deployOne() {
      const opts = await options();
      return { opts, workload: await deploy(fx.specFor(opts)) };
    }

    it('deploys a workload that answers on its port and inspects as running', async () => {
      const { opts, workload } = await deployOne();
      expect(workload.running).toBe(true);
      const res = await fetch(`http://127.0.0.1:${opts.port}/`);
      expect(res.status).toBe(200);
      const seen = await fx.runtime.inspect(workload.handle);
      expect(seen?.running).toBe(true);
      expect(seen?.instanceId).toBe(opts.instanceId);
    });

    it('stop makes inspect say not running within the timeout', async () => {
      const { workload } = await deployOne();
      const started = Date.now();
      await fx.runtime.stop(workload.handle, 5_000);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(gone(await fx.runtime.inspect(workload.handle))).toBe(true);
    });

    it.runIf(capabilities.forcedStop)('stop forces a workload that ignores SIGTERM', async () => {
      expect(fx.specIgnoringTermFor, 'the fixture must supply specIgnoringTermFor').toBeDefined();
      const opts = await options();
      const workload = await deploy(fx.specIgnoringTermFor!(opts));
      const started = Date.now();
      await fx.runtime.stop(workload.handle, 500);
      // Forced after the 500 ms asked, not after a default grace (Docker's 10 s, Kubernetes' 30 s);
      // the bound leaves room for a loaded machine (fake-kube took 5.3 s at load 20).
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(gone(await fx.runtime.inspect(workload.handle))).toBe(true);
    });

    it('kill stops the workload at once', async () => {
      const { workload } = await deployOne();
      await fx.runtime.kill(workload.handle);
      const seen = await eventually(() => fx.runtime.inspect(workload.handle), gone, 5_000);
      expect(gone(seen)).toBe(true);
    });

    it("list(owner) finds exactly this owner's workloads and not another owner's", async () => {
      const a = await deployOne();
      const b = await deployOne();
      const otherOwner = `${fx.owner}-other`;
      const o = await options();
      await deploy({ ...fx.specFor(o), owner: otherOwner });
      const mine = await fx.runtime.list(fx.owner);
      expect(mine.map((w) => w.instanceId).sort()).toEqual([a.opts.instanceId, b.opts.instanceId].sort());
      expect(mine.every((w) => w.owner === fx.owner && w.running)).toBe(true);
      const theirs = await fx.runtime.list(otherOwner);
      expect(theirs.map((w) => w.instanceId)).toEqual([o.instanceId]);
      const adopted = mine.find((w) => w.instanceId === a.opts.instanceId);
      expect((await fx.runtime.inspect(adopted!.handle))?.running).toBe(true);
    });

    it('list(owner, { known }) reports each known workload as a full list does, and not once it is gone', async () => {
      const a = await deployOne();
      const b = await deployOne();
      const known = [a.workload.handle, b.workload.handle];
      const both = await fx.runtime.list(fx.owner, { known });
      for (const { opts, workload } of [a, b]) {
        const w = both.find((x) => x.handle.id === workload.handle.id);
        expect(w?.running).toBe(true);
        expect(w?.instanceId).toBe(opts.instanceId);
      }
      await fx.runtime.kill(b.workload.handle);
      const runningIds = (ws: ObservedWorkload[]) => ws.filter((w) => w.running).map((w) => w.handle.id);
      const after = await eventually(
        () => fx.runtime.list(fx.owner, { known }),
        (ws) => !runningIds(ws).includes(b.workload.handle.id),
        5_000,
      );
      expect(runningIds(after)).toContain(a.workload.handle.id);
      expect(runningIds(after)).not.toContain(b.workload.handle.id);
      expect(await fx.runtime.list(`${fx.owner}-other`, { known })).toEqual([]);
    });

    it('logs tail returns what the workload printed, on the right stream', async () => {
      const { opts, workload } = await deployOne();
      const has = (lines: LogLine[]) =>
        lines.some((l) => l.stream === 'stdout' && l.line === `hello ${opts.name}`) &&
        lines.some((l) => l.stream === 'stderr' && l.line === `warn ${opts.name}`);
      const lines = await eventually(
        () => collect(fx.runtime.logs(workload.handle, { tail: 100 }, fx.specFor(opts))),
        has,
        5_000,
      );
      expect(has(lines)).toBe(true);
      expect(lines.every((l) => typeof l.ts === 'number' && l.ts > 0)).toBe(true);
      const one = await collect(fx.runtime.logs(workload.handle, { tail: 1 }, fx.specFor(opts)));
      expect(one).toHaveLength(1); // tail counts lines of both streams together
    });

    it('logs follow yields lines written after subscribing', async () => {
      const { opts, workload } = await deployOne();
      const ac = new AbortController();
      const seen: LogLine[] = [];
      const done = (async () => {
        const stream = fx.runtime.logs(
          workload.handle,
          { tail: 0, follow: true, signal: ac.signal },
          fx.specFor(opts),
        );
        for await (const l of stream) {
          seen.push(l);
          if (l.line === 'after-subscribe') ac.abort();
        }
      })();
      await new Promise((r) => setTimeout(r, 200));
      await fetch(`http://127.0.0.1:${opts.port}/?say=after-subscribe`);
      const timer = setTimeout(() => ac.abort(), 10_000);
      await done;
      clearTimeout(timer);
      expect(seen.find((l) => l.line === 'after-subscribe')?.stream).toBe('stdout');
      expect(seen.some((l) => l.line === `hello ${opts.name}`)).toBe(false);
    });

    it('a readiness failure throws within the timeout and leaves nothing running', async () => {
      const opts = await options();
      const spec: DeploySpec = {
        ...fx.specFor(opts),
        readiness: { kind: 'port', port: await silentPort(opts.port) },
        readinessTimeoutMs: 1_500,
      };
      const started = Date.now();
      await expect(deploy(spec)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(GAVE_UP_WITHIN);
      expect(await fx.runtime.list(fx.owner)).toEqual([]);
    });

    it('a workload whose port is taken fails with PortBindFailed naming that port, leaving nothing running', async () => {
      const opts = await options();
      const holder = createServer((socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        holder.once('error', reject);
        holder.listen(opts.port, resolve);
      });
      try {
        const err = await deploy(fx.specFor(opts)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(PortBindFailed);
        const failed = err as PortBindFailed;
        expect(failed.code).toBe('PORT_CONFLICT');
        expect(failed.ports).toEqual([{ name: 'http', hostPort: opts.port, protocol: 'tcp' }]);
        expect(failed.portConflicts.map((c) => [c.name, c.port])).toEqual([['http', opts.port]]);
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
      expect((await fx.runtime.list(fx.owner)).filter((w) => w.running)).toEqual([]);
    });

    // A workload found running after a berth restart, while its deploy still waited for readiness.
    it('awaitReady on an adopted handle resolves once the workload is ready, and changes nothing', async () => {
      const { opts } = await deployOne();
      const adopted = (await fx.runtime.list(fx.owner)).find((w) => w.instanceId === opts.instanceId);
      expect(adopted).toBeDefined();
      await fx.runtime.awaitReady(adopted!.handle, fx.specFor(opts), { timeoutMs: 10_000 });
      expect((await fx.runtime.inspect(adopted!.handle))?.running).toBe(true);
    });

    it('awaitReady rejects within the timeout when the workload never becomes ready, leaving it be', async () => {
      const { opts, workload } = await deployOne();
      const spec: DeploySpec = {
        ...fx.specFor(opts),
        readiness: { kind: 'port', port: await silentPort(opts.port) },
      };
      const started = Date.now();
      await expect(fx.runtime.awaitReady(workload.handle, spec, { timeoutMs: 1_500 })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(GAVE_UP_WITHIN);
      expect((await fx.runtime.inspect(workload.handle))?.running).toBe(true);
    });

    it('awaitReady stops waiting when its signal is aborted', async () => {
      const { opts, workload } = await deployOne();
      const spec: DeploySpec = {
        ...fx.specFor(opts),
        readiness: { kind: 'port', port: await silentPort(opts.port) },
      };
      const ac = new AbortController();
      const waiting = fx.runtime.awaitReady(workload.handle, spec, { timeoutMs: 60_000, signal: ac.signal });
      setTimeout(() => ac.abort(new Error('stop requested')), 200);
      await expect(waiting).rejects.toThrow('stop requested');
    });

    it('deploy honours an already-aborted signal', async () => {
      const opts = await options();
      await expect(deploy(fx.specFor(opts), AbortSignal.abort())).rejects.toThrow();
      expect(await fx.runtime.list(fx.owner)).toEqual([]);
    });

    it('stats returns sane numbers for a running workload', async () => {
      const { workload } = await deployOne();
      await fx.runtime.stats([workload.handle]);
      const stats = await fx.runtime.stats([workload.handle]);
      const got = stats.get(workload.handle.id);
      expect(got).toBeDefined();
      if (got && isStatsUnavailable(got)) throw new Error(`stats n/a: ${got.unavailable}`);
      const s = got;
      expect(s!.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(s!.memoryBytes).toBeGreaterThan(1024 * 1024);
      expect(s!.memoryPercent).toBeGreaterThan(0);
      expect(s!.memoryPercent).toBeLessThanOrEqual(100);
    });
  });
}
