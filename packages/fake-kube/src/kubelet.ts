import type { PodSpec } from './container-spec.js';
import type { KubeObject } from './object-store.js';
import { type KubeletOptions, now, PodWorker, SERVER_LABEL } from './pod-worker.js';

export { type KubeletOptions, SERVER_LABEL } from './pod-worker.js';

/** The node agent of the fake's one node: runs each pod's container as a Docker container. */
export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly runs = new Set<Promise<void>>();
  /** Set by close(): no pod starts after it, and a container made meanwhile is removed at once. */
  closed = false;

  constructor(readonly o: KubeletOptions) {}

  /** Starts a worker for a pod it has not seen (pods are never moved between nodes). */
  sync(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    if (this.closed || this.workers.has(uid) || pod.metadata.deletionTimestamp) return;
    const w = new PodWorker(this, pod);
    this.workers.set(uid, w);
    const run = w.run().finally(() => {
      this.workers.delete(uid);
      this.runs.delete(run);
    });
    this.runs.add(run);
  }

  /** Graceful deletion: marks the pod and stops its container; the object goes once it has. */
  deletePod(pod: KubeObject, grace: number | undefined): KubeObject | undefined {
    const w = this.workers.get(pod.metadata.uid!);
    const seconds = grace ?? (pod.spec as PodSpec).terminationGracePeriodSeconds ?? 30;
    if (!w) return void this.o.store.remove('pods', pod.metadata.namespace, pod.metadata.name);
    if (!pod.metadata.deletionTimestamp) {
      pod.metadata.deletionTimestamp = now() as never;
      pod.metadata.deletionGracePeriodSeconds = seconds;
      this.o.store.update('pods', pod);
    }
    w.terminate(seconds);
    return this.o.store.get('pods', pod.metadata.namespace, pod.metadata.name);
  }

  /** The Docker container holding a pod's logs: the running one, else the last that ran. */
  containerOf(uid: string): string | undefined {
    return this.workers.get(uid)?.containerId;
  }

  /** Kills every pod's container and waits (up to 10 s) for the workers to end, then removes what is left. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.workers.values()) w.terminate(0);
    await Promise.race([
      Promise.allSettled([...this.runs]),
      new Promise((r) => setTimeout(r, 10_000).unref()),
    ]);
    const list = await this.o.docker.listContainers({
      all: true,
      filters: { label: [`${SERVER_LABEL}=${this.o.serverId}`] },
    });
    await Promise.allSettled(list.map((c) => this.o.docker.getContainer(c.Id).remove({ force: true })));
  }
}
