import type { Instance, LogLine, RuntimeResolver, Store, Workspace } from '@berth/core';

export interface LogsQuery {
  tail?: number | undefined;
  since?: number | undefined;
}

export interface LogsFollow extends LogsQuery {
  signal: AbortSignal;
}

/** Reads an instance's logs through the runtime of its current (or last) deployment. */
export class InstanceLogs {
  constructor(private readonly d: { store: Store; runtimes: RuntimeResolver; workspace: Workspace }) {}

  async read(inst: Instance, query: LogsQuery): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    for await (const line of this.lines(inst, { ...query, follow: false })) lines.push(line);
    return lines;
  }

  /** The tail, then every line written after it (no gap, no repeat) until the signal aborts. */
  follow(inst: Instance, query: LogsFollow): AsyncIterable<LogLine> {
    return this.lines(inst, { ...query, follow: true });
  }

  private async *lines(
    inst: Instance,
    query: LogsQuery & { follow: boolean; signal?: AbortSignal },
  ): AsyncGenerator<LogLine> {
    const dep =
      (inst.currentDeploymentId ? this.d.store.deployments.find(inst.currentDeploymentId) : undefined) ??
      this.d.store.deployments.listByInstance(inst.id, 1)[0];
    if (!dep?.handle) return;
    const runtime = this.d.runtimes.byKind(inst.node, dep.runtime);
    yield* runtime.logs(
      dep.handle,
      {
        tail: query.tail ?? 100,
        ...(query.since !== undefined ? { since: query.since } : {}),
        follow: query.follow,
        ...(query.signal ? { signal: query.signal } : {}),
      },
      { logDir: this.d.workspace.logDir(inst.id) },
    );
  }
}
