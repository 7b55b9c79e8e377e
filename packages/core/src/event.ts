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
  | 'node.status'
  | 'template.changed';

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
