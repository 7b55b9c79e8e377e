export type EventType =
  | 'instance.created'
  | 'instance.removed'
  | 'instance.status'
  | 'instance.health'
  | 'instance.restart'
  | 'instance.ports'
  | 'instance.config'
  | 'instance.adopted'
  | 'instance.replicas'
  | 'instance.replica'
  | 'instance.cluster'
  | 'instance.orphan'
  /** A start stopped by a port someone else holds (refused by the API, or a deploy that failed on it). */
  | 'instance.port-conflict'
  /** A node turned unreachable, or reachable again (`data.node`, `data.from`, `data.to`). */
  | 'node.status'
  /** A build from a repository ended: `data.status` is done, failed or cancelled. */
  | 'build.finished'
  | 'template.changed'
  /** A template file that cannot be loaded (`data.file`, `data.field`, `data.reason`); its last good version stays. */
  | 'template.invalid'
  /** A template's version installing, installed, failed or removed (`data.template`, `data.version`, `data.phase`). */
  | 'template.version';

export interface BerthEvent {
  id: number;
  ts: number;
  type: EventType;
  instanceId: string | null;
  instanceName: string | null;
  /** Why it happened, in words. */
  message: string;
  data: Record<string, unknown>;
}

export type NewEvent = Omit<BerthEvent, 'id' | 'ts'> & { ts?: number };
