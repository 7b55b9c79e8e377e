import {
  assertNoSecretInArgs,
  type ContainerImage,
  containerImageOf,
  containerPortOf,
  type DeploySpec,
  type HealthCheck,
  type ResolvedPort,
  type WaitStrategy,
} from '@berth/core';
import type {
  V1Container,
  V1Deployment,
  V1PersistentVolumeClaim,
  V1Probe,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import {
  labelsAndAnnotations,
  objectName,
  PORT_ANNOTATION,
  portName,
  selectorLabels,
} from './kube-labels.js';

export interface ManifestOptions {
  namespace: string;
  /** NodePort (default): each port is published on every node at its hostPort; ClusterIP: inside the cluster only. */
  serviceType?: 'NodePort' | 'ClusterIP';
  /** The node's storage class for claims whose template names none (else the cluster's default class). */
  storageClass?: string;
}

/** The objects one instance is in a cluster: a Deployment, a Service when it has ports, a Secret when it has secrets. */
export interface KubeManifest {
  deployment: V1Deployment;
  service?: V1Service;
  secret?: V1Secret;
  /** The data directory's claim, when the template asks for persistence. */
  claim?: V1PersistentVolumeClaim;
}

/** Where an instance's data directory lives on a cluster, as the instance detail says it. */
export type KubeDataVolume =
  | { kind: 'emptyDir' }
  | { kind: 'persistentVolumeClaim'; claim: string; size: string; storageClass: string | null };

/**
 * The data volume `spec` gets: an emptyDir, or a PersistentVolumeClaim named as the instance's
 * objects when its template has `data: { persistent: true }` (class: the template's, else the
 * node's, else none — the cluster's default class).
 */
export function dataVolumeOf(
  spec: Pick<DeploySpec, 'instanceName' | 'instanceId' | 'owner' | 'data'>,
  nodeStorageClass?: string,
): KubeDataVolume {
  if (!spec.data?.persistent) return { kind: 'emptyDir' };
  return {
    kind: 'persistentVolumeClaim',
    claim: objectName(spec),
    size: spec.data.size,
    storageClass: spec.data.storageClass ?? nodeStorageClass ?? null,
  };
}

const DATA_VOLUME = 'data';

/**
 * berth's neutral deploy spec → the objects applied to the cluster. Pure, so `berth export
 * --format kubernetes` prints exactly what the runtime applies. The data directory is an emptyDir,
 * or a PersistentVolumeClaim when the template asks for persistence.
 */
export function renderManifest(spec: DeploySpec, opts: ManifestOptions): KubeManifest {
  const name = objectName(spec);
  const { labels, annotations } = labelsAndAnnotations(spec);
  const metadata = {
    name,
    namespace: opts.namespace,
    labels,
    annotations: { ...annotations, ...portAnnotations(spec.ports) },
  };
  // Config fields marked secret go into a Secret the pod reads, never into the plain env.
  const secretNames = new Set((spec.secretEnv ?? []).filter((k) => k in spec.env));
  const secret: V1Secret | undefined =
    secretNames.size === 0
      ? undefined
      : {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace: opts.namespace, labels },
          type: 'Opaque',
          stringData: Object.fromEntries([...secretNames].map((k) => [k, spec.env[k]!])),
        };
  const data = dataVolumeOf(spec, opts.storageClass);
  const claim: V1PersistentVolumeClaim | undefined =
    data.kind === 'emptyDir'
      ? undefined
      : {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: data.claim, namespace: opts.namespace, labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: data.size } },
            ...(data.storageClass ? { storageClassName: data.storageClass } : {}),
          },
        };
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: spec.replicas,
      // One version at a time, as berth redeploys elsewhere: old pods go before new ones start.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(spec) },
      template: {
        metadata: { labels, annotations },
        spec: {
          containers: [container(spec, name, secretNames)],
          volumes: [
            data.kind === 'emptyDir'
              ? { name: DATA_VOLUME, emptyDir: {} }
              : { name: DATA_VOLUME, persistentVolumeClaim: { claimName: data.claim } },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: Math.max(1, Math.ceil(spec.stopTimeoutMs / 1000)),
          // A pause process at PID 1 (Docker's --init): a workload without a TERM handler still stops.
          shareProcessNamespace: imageOf(spec).init,
        },
      },
    },
  };
  return {
    deployment,
    ...(secret ? { secret } : {}),
    ...(claim ? { claim } : {}),
    ...(service(spec, metadata, opts) ?? {}),
  };
}

function service(
  spec: DeploySpec,
  metadata: V1Service['metadata'],
  opts: ManifestOptions,
): { service: V1Service } | undefined {
  if (spec.ports.length === 0) return undefined;
  const type = opts.serviceType ?? 'NodePort';
  return {
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        type,
        selector: selectorLabels(spec),
        ports: spec.ports.map((p, i) => ({
          name: portName(p.name, i),
          protocol: p.protocol === 'udp' ? 'UDP' : 'TCP',
          // ClusterIP: the Service's own port is the one berth leased for the instance (its ports
          // in the view); NodePort: the leased port is the nodePort.
          port: type === 'ClusterIP' ? p.hostPort : containerPortOf(p),
          targetPort: containerPortOf(p) as never,
          ...(type === 'NodePort' ? { nodePort: p.hostPort } : {}),
        })),
      },
    },
  };
}

/**
 * The image and its settings, for what a cluster runs: image and build templates, and command
 * templates that name the image their command runs in.
 */
export function imageOf(spec: DeploySpec): ContainerImage {
  const run = containerImageOf(spec);
  if (run) return run;
  throw new Error(
    `a ${spec.source.kind} template cannot run on a Kubernetes node: it needs an image (add \`image:\` to a command template's source)`,
  );
}

function container(spec: DeploySpec, name: string, secretNames: Set<string>): V1Container {
  const img = imageOf(spec);
  const args = img.args;
  assertNoSecretInArgs(spec, [...(img.entrypoint ?? []), ...(args ?? [])], "the cluster's Deployment");
  const readiness = probeFor(spec.readiness, spec.ports);
  const limits: Record<string, string> = {};
  if (spec.resources?.memoryMb) limits.memory = `${Math.ceil(spec.resources.memoryMb)}Mi`;
  if (spec.resources?.cpus) limits.cpu = String(spec.resources.cpus);
  return {
    name: 'main',
    image: img.image,
    ...(img.entrypoint ? { command: img.entrypoint } : {}),
    ...(args ? { args } : {}),
    ...(img.workdir ? { workingDir: img.workdir } : {}),
    ...(img.user && /^\d+$/.test(img.user) ? { securityContext: { runAsUser: Number(img.user) } } : {}),
    env: Object.entries(spec.env).map(([k, v]) =>
      secretNames.has(k) ? { name: k, valueFrom: { secretKeyRef: { name, key: k } } } : { name: k, value: v },
    ),
    ports: spec.ports.map((p, i) => ({
      name: portName(p.name, i),
      containerPort: containerPortOf(p),
      protocol: p.protocol === 'udp' ? 'UDP' : 'TCP',
    })),
    ...(Object.keys(limits).length > 0 ? { resources: { limits, requests: limits } } : {}),
    ...(readiness ? { readinessProbe: readiness } : {}),
    ...(spec.health ? { livenessProbe: livenessFor(spec.health, spec.ports) } : {}),
    volumeMounts: img.volumes.map((v) => ({
      name: DATA_VOLUME,
      mountPath: v.target,
      ...(v.subPath ? { subPath: v.subPath } : {}),
      ...(v.readOnly ? { readOnly: true } : {}),
    })),
  };
}

/**
 * The readiness wait as a probe, in the container's terms: a berth port's host port becomes its
 * container port; any other number is probed as it is. Log and container-health waits have no
 * probe (berth waits for the log line itself).
 */
export function probeFor(w: WaitStrategy, ports: ResolvedPort[]): V1Probe | undefined {
  if (w.kind !== 'http' && w.kind !== 'port') return undefined;
  const match = ports.find((p) => p.hostPort === w.port);
  const port = match ? containerPortOf(match) : w.port;
  const timing = { periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1 };
  if (w.kind === 'http') return { httpGet: { path: w.path, port: port as never }, ...timing };
  return { tcpSocket: { port: port as never }, ...timing };
}

/** The template's health check as the liveness probe: the kubelet restarts a container that fails it. */
export function livenessFor(h: HealthCheck, ports: ResolvedPort[]): V1Probe {
  const portOf = (name: string) => {
    const p = ports.find((x) => x.name === name);
    return (p ? containerPortOf(p) : name) as never;
  };
  const timing = {
    periodSeconds: Math.max(1, Math.round(h.intervalSeconds)),
    timeoutSeconds: Math.max(1, Math.round(h.timeoutSeconds)),
    failureThreshold: h.retries,
    initialDelaySeconds: Math.round(h.startPeriodSeconds),
  };
  if (h.http) return { httpGet: { path: h.http.path, port: portOf(h.http.port) }, ...timing };
  if (h.tcp) return { tcpSocket: { port: portOf(h.tcp.port) }, ...timing };
  return { exec: { command: h.command ?? [] }, ...timing };
}

function portAnnotations(ports: ResolvedPort[]): Record<string, string> {
  return Object.fromEntries(
    ports.map((p) => [`${PORT_ANNOTATION}${p.name}`, `${p.hostPort}:${containerPortOf(p)}/${p.protocol}`]),
  );
}
