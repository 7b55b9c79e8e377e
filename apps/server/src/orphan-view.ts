import type { OrphanView } from '@berth/contracts';
import type { Orphan } from '@berth/core';

export function toOrphanView(o: Orphan): OrphanView {
  const name = o.handle.meta.name;
  return {
    node: o.node,
    runtime: o.runtime,
    id: o.handle.id,
    name: typeof name === 'string' ? name : null,
    instanceId: o.instanceId,
    instanceName: o.instanceName,
    running: o.running,
    kind: o.kind,
  };
}
