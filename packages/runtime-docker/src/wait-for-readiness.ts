import { setTimeout as sleep } from 'node:timers/promises';
import { type DeploySpec, type Logger, Unprocessable, type WaitStrategy } from '@berth/core';
import type Dockerode from 'dockerode';
import { DockerLogDecoder } from './docker-log-decoder.js';
import { tcpConnect, tcpProbe } from './tcp-probe.js';

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

/** Polls start fast (a container's program often listens within milliseconds) and slow down to this. */
const POLL_MS = 25;
/** How long the first connect to a container IP may take before the published ports are used instead. */
const DIRECT_CHECK_MS = 500;

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
  const deadline = Date.now() + spec.readinessTimeoutMs;
  const watcher = strategy.kind === 'log' ? watchLog(target.container, strategy.pattern) : undefined;
  try {
    let reason = 'not checked yet';
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const state = await target.container.inspect();
      if (!state.State.Running) throw exited(spec, state.State.ExitCode, await lastLines(target.container));
      const probe = strategy.kind === 'log' ? watcher!.result() : await probeOnce(target, strategy, state);
      if (probe.ok) return state;
      reason = probe.reason;
      if (Date.now() >= deadline) throw notReady(spec, reason);
      await sleep(Math.min(POLL_MS, 5 << attempt), undefined, signal ? { signal } : {});
    }
  } finally {
    watcher?.close();
  }
}

type Probe = { ok: true } | { ok: false; reason: string };

async function probeOnce(
  target: ReadinessTarget,
  strategy: Exclude<WaitStrategy, { kind: 'none' | 'log' }>,
  state: Dockerode.ContainerInspectInfo,
): Promise<Probe> {
  if (strategy.kind === 'health') return healthProbe(target.spec, state);
  const port = hostPortFor(target.spec, strategy.port);
  const direct = await directAddress(target, state, port);
  if (direct) {
    const where = `${hostForUrl(direct.host)}:${direct.port}`;
    if (strategy.kind === 'http') return httpProbe(`http://${where}${strategy.path}`, strategy.expectStatus);
    if ((await tcpConnect(direct.host, direct.port)) === 'open') return { ok: true };
    return { ok: false, reason: `the container's port ${where} never accepted a connection` };
  }
  if (strategy.kind === 'port') {
    if (await tcpProbe(target.address, port)) return { ok: true };
    return { ok: false, reason: `port ${port} on ${target.address} never accepted a connection` };
  }
  return httpProbe(`http://${hostForUrl(target.address)}:${port}${strategy.path}`, strategy.expectStatus);
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
    direct.works = (await tcpConnect(host, port, DIRECT_CHECK_MS)) !== 'unreachable';
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

function healthProbe(spec: DeploySpec, state: Dockerode.ContainerInspectInfo): Probe {
  const health = state.State.Health?.Status;
  if (health === undefined) {
    throw new Unprocessable(
      `${spec.instanceName} has no health check in its image, so 'health' readiness cannot pass`,
      {
        code: 'NOT_READY',
      },
    );
  }
  if (health === 'healthy') return { ok: true };
  if (health === 'unhealthy')
    throw new Unprocessable(`${spec.instanceName} reported unhealthy`, { code: 'NOT_READY' });
  return { ok: false, reason: `its health check still says '${health}'` };
}

async function httpProbe(url: string, expectStatus: number | undefined): Promise<Probe> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
    await res.body?.cancel();
    const ok = expectStatus === undefined ? res.status < 400 : res.status === expectStatus;
    return ok ? { ok: true } : { ok: false, reason: `GET ${url} answered ${res.status}` };
  } catch (err) {
    return { ok: false, reason: `GET ${url} failed: ${(err as Error).message}` };
  }
}

/** A WaitStrategy port is a host port; a template's container port is mapped to its host port too. */
export function hostPortFor(spec: DeploySpec, port: number): number {
  if (spec.ports.some((p) => p.hostPort === port)) return port;
  return spec.ports.find((p) => p.containerPort === port)?.hostPort ?? port;
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

interface LogWatcher {
  result(): Probe;
  close(): void;
}

function watchLog(container: Dockerode.Container, pattern: string): LogWatcher {
  const re = new RegExp(pattern);
  const ac = new AbortController();
  let seen = false;
  const decoder = new DockerLogDecoder();
  container
    .logs({ follow: true, stdout: true, stderr: true, timestamps: true, abortSignal: ac.signal })
    .then((stream) => {
      ac.signal.addEventListener('abort', () =>
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy(),
      );
      stream.on('data', (chunk: Buffer) => {
        if (decoder.push(chunk).some((l) => re.test(l.line))) seen = true;
      });
      stream.on('error', () => {});
    })
    .catch(() => {});
  return {
    result: () => (seen ? { ok: true } : { ok: false, reason: `no log line matched /${pattern}/` }),
    close: () => ac.abort(),
  };
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
