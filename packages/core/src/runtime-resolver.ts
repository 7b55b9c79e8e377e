import type { Runtime } from './runtime.js';
import type { TemplateSource } from './template.js';

/** Finds the runtime for a node and a template source; the composition root fills it. */
export interface RuntimeResolver {
  /** Throws RuntimeUnavailable when the node cannot run that kind of source. */
  resolve(node: string, sourceKind: TemplateSource['kind']): Runtime;
  /** A runtime by its kind on a node (for deployments whose template is gone). */
  byKind(node: string, runtimeKind: string): Runtime;
  /** Every runtime on every node, for adoption and orphan reports. */
  all(): { node: string; runtime: Runtime }[];
  /** The port space a node's workloads publish into. */
  hostOf(node: string): string;
}

/** Instance data and log folders; the only code allowed to delete, and only under BERTH_HOME. */
export interface Workspace {
  instanceDir(template: string, instance: string): string;
  logDir(instanceId: string): string;
  create(dir: string): Promise<void>;
  remove(dir: string): Promise<void>;
  /** Throws (NotAllowed) when `remove(dir)` would refuse, touching nothing: callers check before they change records. */
  checkRemovable?(dir: string): Promise<void>;
}
