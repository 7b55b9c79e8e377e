import { setTimeout as sleep } from 'node:timers/promises';
import { type DeploySpec, type Logger, Unprocessable, type WaitStrategy } from '@berth/core';
import type Dockerode from 'dockerode';
import { DockerLogDecoder } from './docker-log-decoder.js';
import { tcpProbe } from './tcp-probe.js';

export interface ReadinessTarget {
  container: Dockerode.Container;
  spec: DeploySpec;
  /** Where the node's published ports are reached from here. */
  address: string;
  log: Logger;
}

const POLL_MS = 25;

/** Waits until the workload is ready per spec.readiness; throws when it exits, times out or is aborted. */
export async function waitForReadiness(target: ReadinessTarget, signal?: AbortSignal): Promise<void> {
  const { spec } = target;
  const strategy = spec.readiness;
  if (strategy.kind === 'none') return;
  const deadline = Date.now() + spec.readinessTimeoutMs;
  const watcher = strategy.kind === 'log' ? watchLog(target.container, strategy.pattern) : undefined;
  try {
    let reason = 'not checked yet';
    while (true) {
      signal?.throwIfAborted();
      const state = await target.container.inspect();
      if (!state.State.Running) throw exited(spec, state.State.ExitCode, await lastLines(target.container));
      const probe = strategy.kind === 'log' ? watcher!.result() : await probeOnce(target, strategy, state);
      if (probe.ok) return;
      reason = probe.reason;
      if (Date.now() >= deadline) throw notReady(spec, reason);
      await sleep(POLL_MS, undefined, signal ? { signal } : {});
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
  if (strategy.kind === 'port') {
    if (await tcpProbe(target.address, port)) return { ok: true };
    return { ok: false, reason: `port ${port} on ${target.address} never accepted a connection` };
  }
  return httpProbe(`http://${hostForUrl(target.address)}:${port}${strategy.path}`, strategy.expectStatus);
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
