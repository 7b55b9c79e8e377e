import type { HealthCheck } from './template.js';

/** One health check, resolved to concrete ports and commands. */
export type HealthTarget =
  | { kind: 'http'; port: number; path: string; expectStatus?: number; host: string }
  | { kind: 'tcp'; port: number; host: string }
  | { kind: 'command'; argv: string[]; cwd: string; env: Record<string, string> };

export interface HealthResult {
  ok: boolean;
  /** Why it failed ("HTTP 503", "connection refused", "exit code 1"), or a short success note. */
  message: string;
}

/** Runs one check (I/O lives outside core: the host package implements it). */
export interface HealthProbe {
  check(target: HealthTarget, timeoutMs: number): Promise<HealthResult>;
}

export function healthTarget(
  check: HealthCheck,
  ports: Record<string, number>,
  ctx: { host: string; cwd: string; env: Record<string, string> },
): HealthTarget | undefined {
  if (check.http) {
    const port = ports[check.http.port];
    if (port === undefined) return undefined;
    return check.http.expectStatus === undefined
      ? { kind: 'http', port, path: check.http.path, host: ctx.host }
      : { kind: 'http', port, path: check.http.path, expectStatus: check.http.expectStatus, host: ctx.host };
  }
  if (check.tcp) {
    const port = ports[check.tcp.port];
    return port === undefined ? undefined : { kind: 'tcp', port, host: ctx.host };
  }
  if (check.command) return { kind: 'command', argv: check.command, cwd: ctx.cwd, env: ctx.env };
  return undefined;
}

/** Per-instance memory of consecutive results; decides the health state. Pure. */
export class HealthTracker {
  private failures = 0;
  private lastAt = 0;
  private state: 'starting' | 'healthy' | 'unhealthy' = 'starting';
  inflight = false;

  constructor(
    private readonly check: HealthCheck,
    private readonly startedAt: number,
  ) {}

  due(now: number): boolean {
    return !this.inflight && now - this.lastAt >= this.check.intervalSeconds * 1000;
  }

  /** Records a result; returns the health the instance now has. */
  record(ok: boolean, now: number): 'starting' | 'healthy' | 'unhealthy' {
    this.lastAt = now;
    if (ok) {
      this.failures = 0;
      this.state = 'healthy';
    } else if (now - this.startedAt >= this.check.startPeriodSeconds * 1000) {
      this.failures++;
      if (this.failures >= this.check.retries) this.state = 'unhealthy';
    }
    return this.state;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
