import {
  LOCAL_NODE,
  NotFound,
  type Runtime,
  type RuntimeResolver,
  RuntimeUnavailable,
  type TemplateSource,
} from '@berth/core';

type SourceKind = TemplateSource['kind'];

/** Why a source kind cannot run on the local node, when no runtime serves it. */
const MISSING: Record<SourceKind, string> = {
  command: 'no process runtime on node local',
  image: 'no Docker engine on node local',
  compose: 'no Docker engine on node local',
  build: 'no Docker engine on node local',
};

/**
 * The runtimes of the local node, by the template source kinds they serve. Adding a runtime is
 * one `register` call in the composition root.
 */
export class LocalRuntimeResolver implements RuntimeResolver {
  private readonly bySource = new Map<SourceKind, Runtime>();
  private readonly byRuntimeKind = new Map<string, Runtime>();

  register(runtime: Runtime, sources: SourceKind[]): this {
    for (const s of sources) this.bySource.set(s, runtime);
    this.byRuntimeKind.set(runtime.kind, runtime);
    return this;
  }

  resolve(node: string, sourceKind: SourceKind): Runtime {
    this.assertLocal(node);
    const runtime = this.bySource.get(sourceKind);
    if (!runtime) throw new RuntimeUnavailable(MISSING[sourceKind], { details: { node, sourceKind } });
    return runtime;
  }

  byKind(node: string, runtimeKind: string): Runtime {
    this.assertLocal(node);
    const runtime = this.byRuntimeKind.get(runtimeKind);
    if (!runtime) {
      throw new RuntimeUnavailable(`no ${runtimeKind} runtime on node ${node}`, {
        details: { node, runtimeKind },
      });
    }
    return runtime;
  }

  all(): { node: string; runtime: Runtime }[] {
    return [...this.byRuntimeKind.values()].map((runtime) => ({ node: LOCAL_NODE, runtime }));
  }

  hostOf(node: string): string {
    this.assertLocal(node);
    return 'local';
  }

  /** Source kinds each runtime serves, for `system/info` and `nodes`. */
  describe(): { node: string; kind: string; sources: SourceKind[] }[] {
    return [...this.byRuntimeKind.values()].map((runtime) => ({
      node: LOCAL_NODE,
      kind: runtime.kind,
      sources: [...this.bySource].filter(([, r]) => r === runtime).map(([s]) => s),
    }));
  }

  private assertLocal(node: string): void {
    if (node !== LOCAL_NODE) throw new NotFound('node', node);
  }
}
