import {
  type AwaitReadyOptions,
  type DeployOptions,
  type DeploySpec,
  type HeldData,
  type ListOptions,
  type Logger,
  type LogLine,
  type LogQuery,
  type ObservedWorkload,
  type Protocol,
  type RemoveOptions,
  type ReplicaPort,
  type Runtime,
  Unprocessable,
  type WorkloadHandle,
  type WorkloadStats,
  type WorkloadStatsUnavailable,
} from '@berth/core';
import type { CoreV1Event, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { applyManifest, deleteObjects } from './kube-apply.js';
import { isNotFound, type KubeClient, MERGE_PATCH } from './kube-client.js';
import { eventsAbout, fetchEvents } from './kube-events.js';
import { LABEL, PORT_ANNOTATION } from './kube-labels.js';
import { instanceLogs } from './kube-logs.js';
import { type ManifestOptions, renderManifest } from './kube-manifest.js';
import { type Workload, waitForReadiness } from './kube-readiness.js';
import { instanceStats } from './kube-stats.js';
import { lastExitCode, replicaCounts, replicaState, startedAt } from './pod-state.js';

export interface KubernetesRuntimeOptions {
  client: KubeClient;
  /** Where NodePorts are reached from outside the cluster (a node's address). */
  address: string;
  log: Logger;
  serviceType?: 'NodePort' | 'ClusterIP';
  /** The storage class of data claims whose template names none. */
  storageClass?: string;
}

const selectorText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One instance = a Deployment (replicas, probes, resources, env with secrets from a Secret) and a
 * NodePort Service, all carrying berth's labels; status from the Deployment and its pods.
 */
export class KubernetesRuntime implements Runtime {
  readonly kind = 'kubernetes';
  readonly scales = true;
  readonly runsImages = true;
  private readonly client: KubeClient;

  constructor(private readonly o: KubernetesRuntimeOptions) {
    this.client = o.client;
  }

  get namespace(): string {
    return this.client.namespace;
  }

  private get manifestOptions(): ManifestOptions {
    return {
      namespace: this.namespace,
      ...(this.o.serviceType ? { serviceType: this.o.serviceType } : {}),
      ...(this.o.storageClass ? { storageClass: this.o.storageClass } : {}),
    };
  }

  /**
   * Where berth looks at a workload from outside the cluster while it waits: the node's address
   * (NodePorts); none with ClusterIP Services (nothing is published: the pods' probes decide).
   */
  private get outside(): string | undefined {
    return this.o.serviceType === 'ClusterIP' ? undefined : this.o.address;
  }

  async deploy(spec: DeploySpec, opts: DeployOptions = {}): Promise<ObservedWorkload> {
    opts.signal?.throwIfAborted();
    const manifest = renderManifest(spec, this.manifestOptions);
    const name = manifest.deployment.metadata!.name!;
    this.o.log.info(
      { instance: spec.instanceName, name, namespace: this.namespace },
      'Starting Kubernetes deployment…',
    );
    let madeClaim = false;
    try {
      const applied = await applyManifest(this.client, manifest, spec);
      madeClaim = applied.madeClaim;
      const handle = this.handleOf(applied.deployment);
      await waitForReadiness(this.client, this.outside, this.workload(handle), spec, {
        timeoutMs: opts.timeoutMs ?? spec.readinessTimeoutMs,
        signal: opts.signal,
      });
      const seen = await this.inspect(handle);
      if (!seen) throw new Error(`the Deployment ${name} vanished while starting`);
      this.o.log.info({ instance: spec.instanceName, name }, 'Started Kubernetes deployment');
      return seen;
    } catch (e) {
      this.o.log.warn(
        { instance: spec.instanceName, name, err: String(e) },
        'Failed to start Kubernetes deployment',
      );
      // A claim this deploy made holds no data yet; one made before holds the instance's: kept.
      await deleteObjects(this.client, name, spec.owner, { claim: madeClaim }).catch(() => {});
      throw e;
    }
  }

  awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    return waitForReadiness(this.client, this.outside, this.workload(handle), spec, opts);
  }

  /**
   * A merge patch of the Deployment's `spec.replicas` only: the same Deployment (same uid, same pod
   * template, so no rollout) gains or loses pods and the ones that run keep running. Waits until the
   * count is ready, as deploy does.
   */
  async scale(
    handle: WorkloadHandle,
    spec: DeploySpec,
    replicas: number,
    opts: DeployOptions = {},
  ): Promise<ObservedWorkload> {
    opts.signal?.throwIfAborted();
    const w = this.workload(handle);
    if (!(await w.read()))
      throw new Unprocessable(`${spec.instanceName}: its Deployment ${handle.id} is gone`);
    const name = handle.id;
    this.o.log.info({ instance: spec.instanceName, name, replicas }, 'Scaling Kubernetes deployment…');
    await this.client.apps.patchNamespacedDeployment(
      { name, namespace: this.namespace, body: { spec: { replicas } } },
      MERGE_PATCH,
    );
    await waitForReadiness(this.client, this.outside, w, spec, {
      timeoutMs: opts.timeoutMs ?? spec.readinessTimeoutMs,
      signal: opts.signal,
    });
    const seen = await this.inspect(handle);
    if (!seen)
      throw new Unprocessable(`${spec.instanceName}: its Deployment ${name} went away while it scaled`);
    this.o.log.info({ instance: spec.instanceName, name, replicas }, 'Scaled Kubernetes deployment');
    return seen;
  }

  /** Scales to zero and deletes the pods with `timeoutMs` of grace (TERM, then KILL), then waits for them to go. */
  async stop(handle: WorkloadHandle, timeoutMs: number): Promise<void> {
    await this.scaleDown(handle, Math.ceil(timeoutMs / 1000));
    await this.podsGone(handle, timeoutMs + 5_000);
  }

  async kill(handle: WorkloadHandle): Promise<void> {
    await this.scaleDown(handle, 0);
  }

  /** Deletes the instance's objects; its data claim with `data` (rm without --keep-data) or `volumes`. */
  async remove(handle: WorkloadHandle, opts: RemoveOptions = {}): Promise<void> {
    const claim = (opts.data ?? false) || (opts.volumes ?? false);
    await deleteObjects(this.client, handle.id, String(handle.meta.owner), { claim });
  }

  /** This installation's data claims (named as their Deployments), for gc to find those of no instance. */
  async listData(owner: string): Promise<HeldData[]> {
    const labelSelector = `${LABEL.managed}=true,${LABEL.owner}=${owner}`;
    const claims = await this.client.core.listNamespacedPersistentVolumeClaim({
      namespace: this.namespace,
      labelSelector,
    });
    return claims.items.map((c) => {
      const labels = c.metadata?.labels ?? {};
      const name = c.metadata!.name!;
      return {
        handle: { runtime: this.kind, id: name, meta: { namespace: this.namespace, owner, name } },
        instanceId: labels[LABEL.instanceId] ?? null,
        instanceName: labels[LABEL.instance] ?? null,
      };
    });
  }

  async inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined> {
    const found = await this.workload(handle).read();
    if (!found) return undefined;
    const events = await fetchEvents(this.client, this.namespace, this.o.log);
    return this.observe(found.deployment, found.pods, events);
  }

  async list(owner: string, _opts?: ListOptions): Promise<ObservedWorkload[]> {
    const labelSelector = `${LABEL.managed}=true,${LABEL.owner}=${owner}`;
    const [deployments, pods, events] = await Promise.all([
      this.client.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector }),
      this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector }),
      fetchEvents(this.client, this.namespace, this.o.log),
    ]);
    return deployments.items.map((d) => {
      const id = d.metadata?.labels?.[LABEL.instanceId];
      return this.observe(
        d,
        pods.items.filter((p) => p.metadata?.labels?.[LABEL.instanceId] === id),
        events,
      );
    });
  }

  async *logs(handle: WorkloadHandle, query: LogQuery): AsyncIterable<LogLine> {
    // A follow without a tail starts now: lines are asked for from this second and cut to this instant.
    const since = query.since ?? (query.follow && query.tail === 0 ? Date.now() : undefined);
    const pods = ((await this.workload(handle).read())?.pods ?? []).filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
    const names = pods.map((p) => p.metadata!.name!);
    const { tail: _, ...rest } = query;
    const q: LogQuery = since === undefined ? query : { ...rest, since };
    for await (const line of instanceLogs(this.client, names, q)) {
      if (since === undefined || line.ts >= since) yield line;
    }
  }

  /** Each instance's pods' usage from metrics.k8s.io, summed, with each pod's share or why it is n/a. */
  async stats(handles: WorkloadHandle[]): Promise<Map<string, WorkloadStats | WorkloadStatsUnavailable>> {
    const out = new Map<string, WorkloadStats | WorkloadStatsUnavailable>();
    const owners = [...new Set(handles.map((h) => String(h.meta.owner)))];
    for (const owner of owners) {
      const labelSelector = `${LABEL.managed}=true,${LABEL.owner}=${owner}`;
      const pods = await this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector });
      const byInstance = await instanceStats(this.client, owner, pods.items);
      for (const h of handles) {
        const s = byInstance.get(String(h.meta.instanceId));
        if (s && h.meta.owner === owner) out.set(h.id, s);
      }
    }
    return out;
  }

  private handleOf(d: V1Deployment): WorkloadHandle {
    const labels = d.metadata?.labels ?? {};
    return {
      runtime: this.kind,
      id: d.metadata!.name!,
      meta: {
        namespace: this.namespace,
        uid: d.metadata?.uid ?? null,
        owner: labels[LABEL.owner] ?? null,
        instanceId: labels[LABEL.instanceId] ?? null,
      },
    };
  }

  /** The handle's Deployment and pods; undefined once it is gone or is another object of that name. */
  private workload(handle: WorkloadHandle): Workload {
    return {
      read: async () => {
        let d: V1Deployment;
        try {
          d = await this.client.apps.readNamespacedDeployment({ name: handle.id, namespace: this.namespace });
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw e;
        }
        if (handle.meta.uid && d.metadata?.uid !== handle.meta.uid) return undefined;
        const labelSelector = selectorText(d.spec?.selector.matchLabels ?? {});
        const pods = await this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector });
        return { deployment: d, pods: pods.items };
      },
    };
  }

  /** The workload as berth sees it; with the namespace's `events`, the recent ones about its objects. */
  private observe(d: V1Deployment, pods: V1Pod[], events?: CoreV1Event[]): ObservedWorkload {
    const labels = d.metadata?.labels ?? {};
    const n = replicaCounts(d, pods);
    const ports: Record<string, number> = {};
    const nodePorts: ReplicaPort[] = [];
    for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
      const m = /^(\d+):(\d+)\/(tcp|udp)$/.exec(v);
      if (!k.startsWith(PORT_ANNOTATION) || !m) continue;
      ports[k.slice(PORT_ANNOTATION.length)] = Number(m[1]);
      nodePorts.push({ hostPort: Number(m[1]), containerPort: Number(m[2]), protocol: m[3] as Protocol });
    }
    // ClusterIP Services publish nothing outside the cluster: no replica has a host port then.
    const published = this.o.serviceType === 'ClusterIP' ? [] : nodePorts;
    return {
      handle: this.handleOf(d),
      running: n.desired > 0 && n.running > 0,
      pid: null,
      exitCode: n.running > 0 ? null : (pods.map(lastExitCode).find((c) => c !== null) ?? null),
      startedAt: startedAt(pods),
      ports,
      instanceId: labels[LABEL.instanceId] ?? null,
      instanceName: labels[LABEL.instance] ?? null,
      owner: labels[LABEL.owner] ?? null,
      replicas: {
        desired: n.desired,
        running: n.running,
        items: pods.map((p) => replicaState(p, published)),
      },
      ...(events ? { events: eventsAbout(events, d, pods) } : {}),
    };
  }

  private async scaleDown(handle: WorkloadHandle, graceSeconds: number): Promise<void> {
    const namespace = this.namespace;
    try {
      const d = await this.client.apps.patchNamespacedDeployment(
        { name: handle.id, namespace, body: { spec: { replicas: 0 } } },
        MERGE_PATCH,
      );
      const labelSelector = selectorText(d.spec?.selector.matchLabels ?? {});
      await this.client.core.deleteCollectionNamespacedPod({
        namespace,
        labelSelector,
        gracePeriodSeconds: graceSeconds,
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async podsGone(handle: WorkloadHandle, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    while (Date.now() < deadline) {
      const found = await this.workload(handle).read();
      if (!found || found.pods.length === 0) return;
      await sleep(100);
    }
  }
}
