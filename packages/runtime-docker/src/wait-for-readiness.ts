import { type DeploySpec, type Logger, type LogLine, Unprocessable, type WaitStrategy } from '@berth/core';
import {
  allOf,
  httpProbe,
  logLineProbe,
  notYet,
  type Probe,
  type ProbeResult,
  paceDoubling,
  portProbe,
  READY,
  tcpConnect,
  WaitTimedOut,
  waitUntilReady,
} from '@berth/host';
import type Dockerode from 'dockerode';
import { DockerLogDecoder } from './docker-log-decoder.js';

export interface ReadinessTarget {
  container: Dockerode.Container;
  spec: DeploySpec;
  /** Where the node's published ports are reached from here. */
  address: string;
  log: Logger;
  /** Probe the container's own IP instead of its published port, when this engine allows it. */
  direct?: DirectProbe | undefined;
}

/**
 * Probing a container at its own IP and port on its bridge network (a local engine) instead of
 * the published port: no docker-proxy in between — which accepts a connection even when nothing
 * listens in the container, so an accept there only counts after a hold — and no hold. Shared by
 * one runtime's deploys: `works` turns false, for good, the first time such an IP does not answer
 * at all (a rootless or VM-backed engine whose container network this machine cannot reach).
 */
export interface DirectProbe {
  works: boolean | undefined;
}

/** Looks start fast (a container's program often listens within milliseconds) and slow down to this. */
const POLL_MS = 25;
/** How long the first connect to a container IP may take before the published ports are used instead. */
const DIRECT_CHECK_MS = 500;
/**
 * How long a connection through a published port must stay open: docker-proxy closes one with
 * nothing behind it at once (≤ 1.2 ms measured), so 30 ms leaves a wide margin without adding
 * a quarter second to every container start, as 250 ms did.
 */
const PUBLISHED_HOLD_MS = 30;

/**
 * Waits until the workload is ready per spec.readiness; throws when it exits, times out or is
 * aborted. Returns the container as last seen running (undefined when there was nothing to wait for).
 */
export async function waitForReadiness(
  target: ReadinessTarget,
  signal?: AbortSignal,
): Promise<Dockerode.ContainerInspectInfo | undefined> {
  const { spec } = target;
  const strategy = spec.readiness;
  if (strategy.kind === 'none') return undefined;
  const running = runningProbe(target);
  const probe = allOf(running, strategyProbe(target, strategy, running));
  try {
    const what = `${spec.instanceName} ready`;
    await waitUntilReady(probe, {
      what,
      timeoutMs: spec.readinessTimeoutMs,
      signal,
      pace: paceDoubling(5, POLL_MS),
    });
  } catch (err) {
    if (err instanceof WaitTimedOut) throw notReady(spec, err.reason ?? 'not checked yet');
    throw err;
  }
  return running.state;
}

interface RunningProbe extends Probe {
  /** The container as the last look saw it. */
  readonly state: Dockerode.ContainerInspectInfo | undefined;
}

/** Inspects the container each look: one that stopped never becomes ready (its last lines say why). */
function runningProbe({ container, spec }: ReadinessTarget): RunningProbe {
  let state: Dockerode.ContainerInspectInfo | undefined;
  return {
    get state() {
      return state;
    },
    async check() {
      state = await container.inspect();
      if (!state.State.Running) throw exited(spec, state.State.ExitCode, await lastLines(container));
      return READY;
    },
  };
}

/** The spec's strategy as a probe; `running` has just inspected the container when it is looked at. */
function strategyProbe(
  target: ReadinessTarget,
  strategy: Exclude<WaitStrategy, { kind: 'none' }>,
  running: RunningProbe,
): Probe {
  switch (strategy.kind) {
    case 'log':
      return logLineProbe((signal) => containerLines(target.container, signal), new RegExp(strategy.pattern));
    case 'health':
      return { check: async () => healthOf(target.spec, running.state!) };
    default:
      return { check: () => networkLook(target, strategy, running.state!) };
  }
}

/** One look by port or HTTP: at the container's own IP when it answers there, else at the published port. */
async function networkLook(
  target: ReadinessTarget,
  strategy: Extract<WaitStrategy, { kind: 'port' | 'http' }>,
  state: Dockerode.ContainerInspectInfo,
): Promise<ProbeResult> {
  const port = hostPortFor(target.spec, strategy.port);
  const direct = await directAddress(target, state, port);
  const where = direct
    ? `${hostForUrl(direct.host)}:${direct.port}`
    : `${hostForUrl(target.address)}:${port}`;
  if (strategy.kind === 'http') {
    const { expectStatus } = strategy;
    return httpProbe({ url: `http://${where}${strategy.path}`, expectStatus, okBelow: 400 }).check();
  }
  if (!direct) return portProbe({ port, hosts: [target.address], holdMs: PUBLISHED_HOLD_MS }).check();
  if ((await tcpConnect(direct.host, direct.port)) === 'open') return READY;
  return notYet(`the container's port ${where} never accepted a connection`);
}

/** The container's IP and the container port behind `hostPort`, when they can be probed directly. */
async function directAddress(
  target: ReadinessTarget,
  state: Dockerode.ContainerInspectInfo,
  hostPort: number,
): Promise<{ host: string; port: number } | undefined> {
  const direct = target.direct;
  if (!direct || direct.works === false) return undefined;
  const host = containerIp(state);
  const port = target.spec.ports.find((p) => p.hostPort === hostPort)?.containerPort ?? undefined;
  if (!host || !port) return undefined;
  if (direct.works === undefined) {
    direct.works = (await tcpConnect(host, port, { timeoutMs: DIRECT_CHECK_MS })) !== 'unreachable';
    if (!direct.works) {
      target.log.info(
        { ip: host },
        `Container IPs of this engine do not answer from here (${host}); readiness probes use published ports`,
      );
      return undefined;
    }
  }
  return { host, port };
}

/** The container's address on its first network that has one; none with host networking. */
export function containerIp(state: Dockerode.ContainerInspectInfo): string | undefined {
  for (const n of Object.values(state.NetworkSettings?.Networks ?? {})) if (n?.IPAddress) return n.IPAddress;
  return state.NetworkSettings?.IPAddress || undefined;
}

/** Docker's own HEALTHCHECK status as a look: healthy is ready, unhealthy never will be. */
function healthOf(spec: DeploySpec, state: Dockerode.ContainerInspectInfo): ProbeResult {
  const health = state.State.Health?.Status;
  if (health === undefined) {
    throw new Unprocessable(
      `${spec.instanceName} has no health check in its image, so 'health' readiness cannot pass`,
      {
        code: 'NOT_READY',
      },
    );
  }
  if (health === 'healthy') return READY;
  if (health === 'unhealthy')
    throw new Unprocessable(`${spec.instanceName} reported unhealthy`, { code: 'NOT_READY' });
  return notYet(`its health check still says '${health}'`);
}

/** A WaitStrategy port is a host port; a template's container port is mapped to its host port too. */
export function hostPortFor(spec: DeploySpec, port: number): number {
  if (spec.ports.some((p) => p.hostPort === port)) return port;
  return spec.ports.find((p) => p.containerPort === port)?.hostPort ?? port;
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** The container's output from now on; a log stream that fails ends quietly (the wait goes on to its timeout). */
async function* containerLines(container: Dockerode.Container, signal: AbortSignal): AsyncGenerator<LogLine> {
  const decoder = new DockerLogDecoder();
  try {
    const stream = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      abortSignal: signal,
    })) as NodeJS.ReadableStream & { destroy(): void };
    if (signal.aborted) return stream.destroy();
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
    for await (const chunk of stream) yield* decoder.push(chunk as Buffer);
  } catch {
    // a follow that could not start or broke off never fails the wait by itself: its other checks decide
  }
}

async function lastLines(container: Dockerode.Container): Promise<string[]> {
  try {
    const buf = await container.logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      tail: 5,
      follow: false,
    });
    const decoder = new DockerLogDecoder();
    return [...decoder.push(buf), ...decoder.end()].map((l) => l.line);
  } catch {
    return [];
  }
}

function exited(spec: DeploySpec, code: number, lines: string[]): Unprocessable {
  const tail = lines.length > 0 ? `; its last output: ${lines.join(' | ')}` : '';
  return new Unprocessable(`${spec.instanceName} exited with code ${code} before it was ready${tail}`, {
    code: 'NOT_READY',
    details: { exitCode: code },
  });
}

function notReady(spec: DeploySpec, reason: string): Unprocessable {
  const seconds = Math.round(spec.readinessTimeoutMs / 100) / 10;
  return new Unprocessable(`${spec.instanceName} did not become ready within ${seconds}s: ${reason}`, {
    code: 'NOT_READY',
  });
}
