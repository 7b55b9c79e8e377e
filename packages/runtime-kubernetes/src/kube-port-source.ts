import type { PortSource, TakenPort } from '@berth/core';
import type { KubeClient } from './kube-client.js';
import { LABEL } from './kube-labels.js';

/**
 * The NodePorts of every Service in the cluster, in every namespace: a cluster is one port space
 * (a NodePort is open on every node), so all of them are taken on the node's host.
 */
export class KubePortSource implements PortSource {
  readonly name = 'kubernetes-nodeports';

  constructor(
    private readonly client: KubeClient,
    private readonly host: string,
  ) {}

  async taken(host: string): Promise<TakenPort[]> {
    if (host !== this.host) return [];
    const services = await this.client.core.listServiceForAllNamespaces();
    const out: TakenPort[] = [];
    for (const svc of services.items) {
      const labels = svc.metadata?.labels ?? {};
      const instanceId = labels[LABEL.managed] === 'true' ? labels[LABEL.instanceId] : undefined;
      for (const p of svc.spec?.ports ?? []) {
        if (!p.nodePort) continue;
        out.push({
          port: p.nodePort,
          protocol: p.protocol === 'UDP' ? 'udp' : 'tcp',
          usedBy: `Kubernetes Service ${svc.metadata?.namespace}/${svc.metadata?.name}`,
          kind: 'service',
          ...(instanceId ? { instanceId } : {}),
        });
      }
    }
    return out;
  }
}
