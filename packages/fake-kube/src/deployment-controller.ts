import { createHash } from 'node:crypto';
import { randomSuffix } from './admission.js';
import { recordEvent } from './events.js';
import type { KubeObject, ObjectStore } from './object-store.js';

type Obj = Record<string, unknown>;
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels?: Record<string, string> };
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: Obj;
  };
}

const templateHash = (template: unknown) =>
  createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
const ready = (pod: KubeObject) =>
  ((pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );

/**
 * The Deployment and ReplicaSet controllers folded into one: pods named
 * `<deployment>-<pod-template-hash>-<random>`, scaled to spec.replicas; a changed template replaces
 * every old pod at once (Recreate-like, no ReplicaSet objects); a deleted Deployment's pods are
 * garbage-collected. Status and conditions follow the pods.
 */
export class DeploymentController {
  private pending = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly deletePod: (pod: KubeObject, grace?: number) => void,
  ) {}

  /** Schedules one pass (several changes in a tick make one pass). */
  poke(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.syncAll();
    });
  }

  private syncAll(): void {
    const deployments = this.store.list('deployments');
    const uids = new Set(deployments.map((d) => d.metadata.uid));
    for (const pod of this.store.list('pods')) {
      const owner = pod.metadata.ownerReferences?.[0];
      if (owner?.kind === 'ReplicaSet' && !uids.has(owner.uid) && !pod.metadata.deletionTimestamp)
        this.deletePod(pod);
    }
    for (const d of deployments) this.sync(d);
  }

  private sync(d: KubeObject): void {
    const spec = d.spec as DeploymentSpec;
    const hash = templateHash(spec.template);
    const owned = this.store
      .list('pods', d.metadata.namespace)
      .filter((p) => p.metadata.ownerReferences?.[0]?.uid === d.metadata.uid);
    const live = owned.filter((p) => !p.metadata.deletionTimestamp);
    const current = live.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    if (d.metadata.deletionTimestamp) return;
    for (const old of live.filter((p) => p.metadata.labels?.['pod-template-hash'] !== hash))
      this.deletePod(old);
    const want = spec.replicas;
    if (current.length < want) {
      for (let i = current.length; i < want; i++) this.createPod(d, spec, hash);
      recordEvent(
        this.store,
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${d.metadata.name}-${hash} from ${current.length} to ${want}`,
        'deployment-controller',
      );
    } else if (current.length > want) {
      const extra = [...current]
        .sort((a, b) => Number(ready(a)) - Number(ready(b)))
        .slice(0, current.length - want);
      for (const p of extra) this.deletePod(p);
      recordEvent(
        this.store,
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled down replica set ${d.metadata.name}-${hash} from ${current.length} to ${want}`,
        'deployment-controller',
      );
    }
    this.writeStatus(d, owned, current.length > want ? current.slice(0, want) : current, want);
  }

  private createPod(d: KubeObject, spec: DeploymentSpec, hash: string): void {
    const name = `${d.metadata.name}-${hash}-${randomSuffix(5)}`;
    const labels = { ...(spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash };
    this.store.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        labels,
        annotations: spec.template.metadata?.annotations ?? {},
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `${d.metadata.name}-${hash}`,
            uid: d.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: structuredClone(spec.template.spec),
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
  }

  private writeStatus(d: KubeObject, owned: KubeObject[], current: KubeObject[], want: number): void {
    const readyCount = current.filter(ready).length;
    const live = owned.filter((p) => !p.metadata.deletionTimestamp).length;
    const available = readyCount >= want;
    const old = (d.status ?? {}) as {
      conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    };
    const since = (type: string, status: string) => {
      const prev = old.conditions?.find((c) => c.type === type);
      return prev?.status === status && prev.lastTransitionTime
        ? prev.lastTransitionTime
        : new Date().toISOString();
    };
    const condition = (type: string, ok: boolean, reason: string, message: string) => {
      const status = ok ? 'True' : 'False';
      const t = since(type, status);
      return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
    };
    const rs = `ReplicaSet "${d.metadata.name}-${templateHash((d.spec as DeploymentSpec).template)}"`;
    const status: Obj = {
      observedGeneration: d.metadata.generation,
      replicas: live,
      updatedReplicas: current.length,
      readyReplicas: readyCount,
      availableReplicas: readyCount,
      unavailableReplicas: Math.max(0, want - readyCount),
      conditions: [
        available
          ? condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition(
              'Available',
              false,
              'MinimumReplicasUnavailable',
              'Deployment does not have minimum availability.',
            ),
        available
          ? condition('Progressing', true, 'NewReplicaSetAvailable', `${rs} has successfully progressed.`)
          : condition('Progressing', true, 'ReplicaSetUpdated', `${rs} is progressing.`),
      ],
    };
    for (const k of ['readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const)
      if (status[k] === 0) delete status[k];
    const comparable = (s: unknown) =>
      JSON.stringify(s, (k, v) => (k === 'lastUpdateTime' || k === 'lastTransitionTime' ? undefined : v));
    if (comparable(status) === comparable(d.status)) return;
    const fresh = this.store.get('deployments', d.metadata.namespace, d.metadata.name);
    if (!fresh || fresh.metadata.uid !== d.metadata.uid) return;
    fresh.status = status;
    this.store.update('deployments', fresh);
  }
}
