import { type DeploySpec, type FailedBind, PortBindFailed, Unprocessable } from '@berth/core';
import type { V1Deployment } from '@kubernetes/client-node';
import { type KubeClient, kubeFailure } from './kube-client.js';
import { LABEL } from './kube-labels.js';
import type { KubeManifest } from './kube-manifest.js';

const exists = (e: unknown) => kubeFailure(e)?.code === 409;

/**
 * nodePorts the API refused as taken (`spec.ports[0].nodePort: … provided port is already
 * allocated`), as berth's ports; the 422 names them, so the list is exact.
 */
function takenNodePorts(e: unknown, spec: DeploySpec): FailedBind[] {
  const f = kubeFailure(e);
  if (f?.code !== 422) return [];
  return f.causes.flatMap((c) => {
    const m = /^spec\.ports\[(\d+)\]\.nodePort$/.exec(c.field ?? '');
    const p = m ? spec.ports[Number(m[1])] : undefined;
    if (!p || !/already allocated/.test(c.message ?? '')) return [];
    return [{ name: p.name, hostPort: p.hostPort, protocol: p.protocol }];
  });
}

/** A refusal of the API in words (its Status message), for the instance's error. */
function refused(e: unknown, what: string): Error {
  const f = kubeFailure(e);
  if (!f) return e as Error;
  return new Unprocessable(`the cluster refused the ${what}: ${f.message}`, { cause: e });
}

/**
 * Creates or replaces the instance's objects: Secret first (the pods read it), the data claim
 * (created once, then kept), then Service, then Deployment.
 */
export async function applyManifest(
  client: KubeClient,
  m: KubeManifest,
  spec: DeploySpec,
): Promise<{ deployment: V1Deployment; madeClaim: boolean }> {
  const namespace = client.namespace;
  const name = m.deployment.metadata!.name!;
  let madeClaim = false;
  if (m.secret) {
    const body = m.secret;
    await client.core.createNamespacedSecret({ namespace, body }).catch(async (e) => {
      if (!exists(e)) throw refused(e, 'Secret');
      await client.core.replaceNamespacedSecret({ name, namespace, body });
    });
  }
  if (m.claim) {
    // The claim outlives every deploy: an existing one (the instance's data) is kept as it is.
    const body = m.claim;
    await client.core.createNamespacedPersistentVolumeClaim({ namespace, body }).then(
      () => {
        madeClaim = true;
      },
      (e) => {
        if (!exists(e)) throw refused(e, 'PersistentVolumeClaim');
      },
    );
  }
  if (m.service) {
    const body = m.service;
    await client.core.createNamespacedService({ namespace, body }).catch(async (e) => {
      if (exists(e)) {
        // A replace keeps the Service's clusterIP, which is immutable.
        const old = await client.core.readNamespacedService({ name, namespace });
        const spec2 = { ...body.spec, clusterIP: old.spec?.clusterIP, clusterIPs: old.spec?.clusterIPs };
        await client.core
          .replaceNamespacedService({
            name,
            namespace,
            body: {
              ...body,
              spec: spec2,
              metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion },
            },
          })
          .catch((e2) => {
            throw portRefusal(e2, spec) ?? refused(e2, 'Service');
          });
        return;
      }
      throw portRefusal(e, spec) ?? refused(e, 'Service');
    });
  }
  const body = m.deployment;
  const deployment = await client.apps.createNamespacedDeployment({ namespace, body }).catch(async (e) => {
    if (!exists(e)) throw refused(e, 'Deployment');
    const old = await client.apps.readNamespacedDeployment({ name, namespace });
    return client.apps.replaceNamespacedDeployment({
      name,
      namespace,
      body: { ...body, metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion } },
    });
  });
  return { deployment, madeClaim };
}

function portRefusal(e: unknown, spec: DeploySpec): PortBindFailed | undefined {
  const ports = takenNodePorts(e, spec);
  if (ports.length === 0) return undefined;
  const list = ports.map((p) => p.hostPort).join(', ');
  return new PortBindFailed(`NodePort ${list} is already allocated in the cluster`, {
    ports,
    exact: true,
    cause: e,
  });
}

/**
 * Deletes the Deployment (its pods go with it), the Service and the Secret named `name` — each only
 * when it carries this installation's owner label: berth never deletes what another one made. The
 * data claim goes only with `claim` (the instance is removed with its volumes, or collected).
 */
export async function deleteObjects(
  client: KubeClient,
  name: string,
  owner: string,
  opts: { claim?: boolean } = {},
): Promise<void> {
  const namespace = client.namespace;
  const ours = (o: { metadata?: { labels?: Record<string, string> } }) =>
    o.metadata?.labels?.[LABEL.owner] === owner;
  const gone = (e: unknown) => {
    if (kubeFailure(e)?.code !== 404) throw e;
  };
  await Promise.all([
    client.apps
      .readNamespacedDeployment({ name, namespace })
      .then(async (d) => {
        if (ours(d))
          await client.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' });
      })
      .catch(gone),
    client.core
      .readNamespacedService({ name, namespace })
      .then(async (s) => ours(s) && (await client.core.deleteNamespacedService({ name, namespace })))
      .catch(gone),
    client.core
      .readNamespacedSecret({ name, namespace })
      .then(async (s) => ours(s) && (await client.core.deleteNamespacedSecret({ name, namespace })))
      .catch(gone),
    opts.claim &&
      client.core
        .readNamespacedPersistentVolumeClaim({ name, namespace })
        .then(
          async (c) =>
            ours(c) && (await client.core.deleteNamespacedPersistentVolumeClaim({ name, namespace })),
        )
        .catch(gone),
  ]);
}
