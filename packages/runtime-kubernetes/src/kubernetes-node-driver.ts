import type { Logger, NodeDriver, NodeRecord, OpenedNode } from '@berth/core';

/**
 * `kubernetes` nodes: a cluster through a kubeconfig file, context and namespace. Its runtime runs
 * image and build templates (a built image must be pullable by the cluster); its port space is the
 * cluster's NodePorts.
 *
 * The driver itself loads nothing of @kubernetes/client-node (1.2 s of module loading, more than
 * the rest of the server): the kubeconfig check and the node are loaded when a kubernetes node is
 * first checked or opened, so a berth without one never pays for it.
 */
export class KubernetesNodeDriver implements NodeDriver {
  readonly kind = 'kubernetes' as const;

  constructor(private readonly log: Logger) {}

  async parseConfig(input: unknown): Promise<Record<string, unknown>> {
    const { parseKubeNodeConfig } = await import('./kube-node-config.js');
    return { ...parseKubeNodeConfig(input) };
  }

  async open(record: NodeRecord): Promise<OpenedNode> {
    const { openKubernetesNode } = await import('./kube-node-open.js');
    return openKubernetesNode(record, this.log);
  }
}
