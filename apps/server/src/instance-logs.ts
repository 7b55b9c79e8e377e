import type { Instance, LogLine, RuntimeResolver, Store, Workspace } from '@berth/core';

export interface LogsQuery {
  tail?: number | undefined;
  since?: number | undefined;
}

/** Reads an instance's logs through the runtime of its current (or last) deployment. */
export class InstanceLogs {
  constructor(private readonly d: { store: Store; runtimes: RuntimeResolver; workspace: Workspace }) {}

  async read(inst: Instance, query: LogsQuery): Promise<LogLine[]> {
    const dep =
      (inst.currentDeploymentId ? this.d.store.deployments.find(inst.currentDeploymentId) : undefined) ??
      this.d.store.deployments.listByInstance(inst.id, 1)[0];
    if (!dep?.handle) return [];
    const runtime = this.d.runtimes.byKind(inst.node, dep.runtime);
    const lines: LogLine[] = [];
    const stream = runtime.logs(
      dep.handle,
      {
        tail: query.tail ?? 100,
        ...(query.since !== undefined ? { since: query.since } : {}),
        follow: false,
      },
      { logDir: this.d.workspace.logDir(inst.id) },
    );
    for await (const line of stream) lines.push(line);
    return lines;
  }
}
