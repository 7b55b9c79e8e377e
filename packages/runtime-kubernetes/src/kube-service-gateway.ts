import type { GatewayUpstream, PortGateway } from '@berth/core';
import { isNotFound, type KubeClient, kubeFailure } from './kube-client.js';
import { LABEL, objectName, PORT_ANNOTATION } from './kube-labels.js';

/**
 * How berth's proxy reaches an instance on a node with ClusterIP Services: the API server's service
 * proxy (`/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/…`), authenticated with the
 * kubeconfig's credentials. The Service's port is read from its `berth.port.<name>` annotation;
 * only a Service with this installation's owner label is used.
 */
export class KubeServiceGateway implements PortGateway {
  constructor(private readonly client: KubeClient) {}

  async upstream(
    w: { instanceId: string; instanceName: string; owner: string },
    port: string,
  ): Promise<GatewayUpstream> {
    const name = objectName(w);
    const namespace = this.client.namespace;
    const svc = await this.client.core.readNamespacedService({ name, namespace }).catch((e) => {
      if (isNotFound(e)) throw new Error(`its Service ${namespace}/${name} is not in the cluster`);
      // The API's Status message only: this text is shown on the proxy's error page.
      const f = kubeFailure(e);
      throw f ? new Error(`the API server answered ${f.code}: ${f.message}`) : e;
    });
    if (svc.metadata?.labels?.[LABEL.owner] !== w.owner)
      throw new Error(`the Service ${namespace}/${name} was not made by this berth`);
    // `berth.port.<name>` = `<leased>:<container>/<protocol>`: the Service port is the leased one
    // (ClusterIP) or the container's (a Service made as NodePort).
    const m = /^(\d+):(\d+)\//.exec(svc.metadata?.annotations?.[`${PORT_ANNOTATION}${port}`] ?? '');
    const ports = (svc.spec?.ports ?? []).map((p) => p.port);
    const servicePort = m ? [Number(m[1]), Number(m[2])].find((n) => ports.includes(n)) : undefined;
    if (servicePort === undefined) throw new Error(`its Service ${namespace}/${name} has no port '${port}'`);
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}:${servicePort}/proxy`;
    return this.client.upstream(path);
  }
}
