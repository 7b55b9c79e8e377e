import { z } from 'zod';
import type { OrphanView } from './nodes.js';

/**
 * One thing `berth cleanup` would remove: a workload with this installation's owner marker and no
 * instance (running or stopped — what a removed instance left), a folder under BERTH_HOME of no
 * instance, or a port lease of no instance.
 */
export interface CleanupItemView {
  /** Names the item across a dry run and the removal that follows it. */
  key: string;
  kind: 'workload' | 'data-dir' | 'log-dir' | 'lease';
  /** What it is, in words. */
  description: string;
  instanceId: string | null;
  instanceName: string | null;
  /** A workload's details (kind `workload`). */
  orphan: OrphanView | null;
  /** A folder's absolute path (kinds `data-dir`, `log-dir`). */
  path: string | null;
  /** A lease's port (kind `lease`). */
  lease: { host: string; protocol: string; port: number } | null;
}

export interface CleanupPlanView {
  items: CleanupItemView[];
}

/** Removes the items a dry run showed, named by key: nothing else. */
export const cleanupBodySchema = z
  .object({ items: z.array(z.string().min(1).max(4096)).max(100_000) })
  .strict();

export interface CleanupResultView {
  removed: CleanupItemView[];
  failed: (CleanupItemView & { error: string })[];
  /** Keys asked for that are no longer to remove (gone already, or an instance has them again). */
  changed: string[];
  /** Found now but not in the list asked for: left alone. */
  notAsked: CleanupItemView[];
}
