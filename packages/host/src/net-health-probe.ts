import { execFile } from 'node:child_process';
import type { HealthProbe, HealthResult, HealthTarget } from '@berth/core';
import { canConnect } from './readiness/tcp-connect.js';

/** Runs health checks from this machine: an HTTP GET, a TCP connect, or a command (argument array). */
export class NetHealthProbe implements HealthProbe {
  async check(target: HealthTarget, timeoutMs: number): Promise<HealthResult> {
    switch (target.kind) {
      case 'http':
        return httpCheck(
          `http://${target.host}:${target.port}${target.path}`,
          target.expectStatus,
          timeoutMs,
        );
      case 'tcp':
        return (await canConnect(target.port, target.host, timeoutMs))
          ? { ok: true, message: `port ${target.port} accepts connections` }
          : { ok: false, message: `nothing accepts connections on port ${target.port}` };
      case 'command':
        return commandCheck(target.argv, target.cwd, target.env, timeoutMs);
    }
  }
}

async function httpCheck(
  url: string,
  expectStatus: number | undefined,
  timeoutMs: number,
): Promise<HealthResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.body?.cancel();
    const ok =
      expectStatus !== undefined ? res.status === expectStatus : res.status >= 200 && res.status < 400;
    return {
      ok,
      message: `HTTP ${res.status}${ok ? '' : expectStatus !== undefined ? `, expected ${expectStatus}` : ''}`,
    };
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError') return { ok: false, message: `no answer within ${timeoutMs} ms` };
    return {
      ok: false,
      message:
        e.cause?.code === 'ECONNREFUSED'
          ? 'connection refused'
          : `request failed (${e.cause?.code ?? e.name})`,
    };
  }
}

function commandCheck(
  argv: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<HealthResult> {
  const [cmd, ...args] = argv;
  return new Promise((resolve) => {
    execFile(
      cmd!,
      args,
      { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: timeoutMs },
      (err) => {
        if (!err) return resolve({ ok: true, message: 'command exited 0' });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        if (e.killed) return resolve({ ok: false, message: `command did not finish within ${timeoutMs} ms` });
        if (e.code === 'ENOENT') return resolve({ ok: false, message: `command '${cmd}' was not found` });
        resolve({ ok: false, message: `command exited with code ${e.code}` });
      },
    );
  });
}
