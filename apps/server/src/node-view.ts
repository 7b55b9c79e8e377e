import type { NodeDetailView } from '@berth/contracts';
import type { NodeState } from '@berth/core';

/** A node as the API shows it: its endpoint and ssh host key, never the contents of its certificate or key files. */
export function toNodeView(s: NodeState): NodeDetailView {
  const endpoint = s.record.config.endpoint;
  return {
    name: s.record.name,
    kind: s.record.kind,
    host: s.record.host,
    status: s.status,
    runtimes: s.runtimes,
    endpoint: typeof endpoint === 'string' ? endpoint : null,
    publicAddress: s.address.address,
    publicAddressFrom: s.address.from,
    message: s.message,
    hostKey: s.hostKey,
    createdAt: s.record.createdAt,
  };
}
