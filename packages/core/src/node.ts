export type NodeKind = 'local' | 'docker' | 'swarm' | 'kubernetes';

export interface NodeRecord {
  name: string;
  kind: NodeKind;
  /** The port space this node's workloads publish into; `local` for this machine. */
  host: string;
  /** Kind-specific connection settings (endpoint, TLS files, context…). */
  config: Record<string, unknown>;
  createdAt: number;
}

export const LOCAL_NODE = 'local';
