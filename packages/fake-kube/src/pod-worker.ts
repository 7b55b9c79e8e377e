import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ConfigError, containerOptions, type PodSpec, quantity } from './container-spec.js';
import { recordEvent } from './events.js';
import type { Kubelet } from './kubelet.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { type ContainerState, type PodView, podStatus } from './pod-status.js';
import { ProbeState, runProbe } from './probes.js';
import type { VolumeProvisioner } from './volume-provisioner.js';

export interface KubeletOptions {
  docker: Docker;
  store: ObjectStore;
  /** Labels every container with it, so close() removes only this fake's containers. */
  serverId: string;
  nodeName: string;
  /** Where emptyDir volumes live. */
  dir: string;
  /** First crash back-off (the real kubelet's is 10 s, doubling to 5 min). */
  backoffMs: number;
  allocatable: { memory: number; cpu: number };
  /** Where a persistentVolumeClaim volume's folder is, or why the pod cannot be scheduled. */
  volumes: Pick<VolumeProvisioner, 'volumeOf'>;
}

export const SERVER_LABEL = 'fake-kube.server';
export const now = () => new Date().toISOString();

/** One pod on the node: schedules it, runs its container, probes it, restarts it, ends it. */
export class PodWorker {
  containerId: string | undefined;
  private readonly stop = new AbortController();
  private killTimer: NodeJS.Timeout | undefined;
  private killAt = Number.POSITIVE_INFINITY;
  private readonly view: PodView;
  private readonly spec: PodSpec;

  constructor(
    private readonly k: Kubelet,
    private readonly pod: KubeObject,
  ) {
    this.spec = pod.spec as PodSpec;
    const c = this.spec.containers[0]!;
    this.view = {
      phase: 'Pending',
      scheduled: { ok: true },
      state: { waiting: { reason: 'ContainerCreating' } },
      ready: false,
      restartCount: 0,
      image: c.image,
      containerName: c.name,
    };
  }

  private get o() {
    return this.k.o;
  }

  async run(): Promise<void> {
    if (!this.schedule()) return;
    let backoff = this.o.backoffMs;
    while (!this.stop.signal.aborted) {
      const started = await this.startContainer();
      if (started === 'retry') {
        await this.sleep(backoff);
        continue;
      }
      const exit = await this.watchContainer();
      if (this.stop.signal.aborted) break;
      const policy = this.spec.restartPolicy ?? 'Always';
      if (policy === 'Never' || (policy === 'OnFailure' && exit === 0)) {
        this.view.phase = exit === 0 ? 'Succeeded' : 'Failed';
        this.write();
        return;
      }
      this.view.restartCount++;
      const message = `back-off ${Math.round(backoff / 1000)}s restarting failed container=${this.view.containerName} pod=${this.pod.metadata.name}`;
      this.view.state = { waiting: { reason: 'CrashLoopBackOff', message } };
      this.write();
      this.event('Warning', 'BackOff', 'Back-off restarting failed container');
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, 300_000);
    }
    await this.finish();
  }

  /** The scheduler's part: a pod whose requests exceed the node's allocatable stays Pending. */
  private schedule(): boolean {
    const requests = this.spec.containers[0]?.resources?.requests ?? {};
    const short: string[] = [];
    if ((quantity(requests.memory) ?? 0) > this.o.allocatable.memory) short.push('Insufficient memory');
    if ((quantity(requests.cpu) ?? 0) > this.o.allocatable.cpu) short.push('Insufficient cpu');
    const ns = this.pod.metadata.namespace ?? 'default';
    const claims = (this.spec.volumes ?? []).flatMap((v) => {
      const found = v.persistentVolumeClaim && this.o.volumes.volumeOf(ns, v.persistentVolumeClaim.claimName);
      return found && 'problem' in found ? [found.problem] : [];
    });
    if (claims.length > 0) {
      const message = `0/1 nodes are available: ${claims[0]}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
      this.view.scheduled = { ok: false, reason: 'Unschedulable', message };
      this.write();
      this.event('Warning', 'FailedScheduling', message, 'default-scheduler');
      return false;
    }
    if (short.length > 0) {
      const message = `0/1 nodes are available: ${short.map((s) => `1 ${s}`).join(', ')}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
      this.view.scheduled = { ok: false, reason: 'Unschedulable', message };
      this.write();
      this.event('Warning', 'FailedScheduling', message, 'default-scheduler');
      return false;
    }
    const cur = this.current();
    if (!cur) return false;
    (cur.spec as PodSpec).nodeName = this.o.nodeName;
    this.o.store.update('pods', cur);
    this.event(
      'Normal',
      'Scheduled',
      `Successfully assigned ${this.pod.metadata.namespace}/${this.pod.metadata.name} to ${this.o.nodeName}`,
      'default-scheduler',
    );
    return true;
  }

  /** Creates and starts the container; 'retry' when the image or config is missing (a back-off state). */
  private async startContainer(): Promise<'started' | 'retry'> {
    const c = this.spec.containers[0]!;
    try {
      await this.o.docker.getImage(c.image).inspect();
    } catch {
      this.view.state = {
        waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` },
      };
      this.write();
      this.event(
        'Warning',
        'Failed',
        `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`,
      );
      return 'retry';
    }
    const labels = {
      [SERVER_LABEL]: this.o.serverId,
      'fake-kube.pod': `${this.pod.metadata.namespace}/${this.pod.metadata.name}`,
    };
    let opts: Docker.ContainerCreateOptions;
    try {
      opts = containerOptions(
        this.o.store,
        this.pod,
        c,
        labels,
        join(this.o.dir, this.pod.metadata.uid!),
        this.o.volumes,
      );
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.view.state = { waiting: { reason: 'CreateContainerConfigError', message: e.message } };
      this.write();
      this.event('Warning', 'Failed', `Error: ${e.message}`);
      return 'retry';
    }
    if (this.containerId)
      await this.o.docker
        .getContainer(this.containerId)
        .remove({ force: true })
        .catch(() => {});
    const container = await this.o.docker.createContainer(opts);
    this.containerId = container.id;
    if (this.k.closed || this.stop.signal.aborted) return 'retry';
    this.event('Normal', 'Created', `Created container ${c.name}`);
    await container.start();
    const info = await container.inspect();
    this.view.podIP =
      Object.values(info.NetworkSettings.Networks)[0]?.IPAddress || info.NetworkSettings.IPAddress;
    this.view.containerID = container.id;
    this.view.state = { running: { startedAt: now() } };
    this.view.phase = 'Running';
    this.view.startTime ??= now();
    this.view.ready = !c.readinessProbe;
    this.write();
    this.event('Normal', 'Started', `Started container ${c.name}`);
    return 'started';
  }

  /** Probes until the container exits; a failed liveness probe kills it (then it restarts). Returns the exit code. */
  private async watchContainer(): Promise<number> {
    const c = this.spec.containers[0]!;
    const container = this.o.docker.getContainer(this.containerId!);
    let exited = false;
    const exit = container.wait().then((r: { StatusCode: number }) => {
      exited = true;
      return r.StatusCode;
    });
    const startedAt = Date.now();
    const readiness = c.readinessProbe && new ProbeState(c.readinessProbe, false);
    const liveness = c.livenessProbe && new ProbeState(c.livenessProbe, true);
    const tick = async (p: ProbeState, onChange: (v: boolean) => void) => {
      if (Date.now() - startedAt < (p.probe.initialDelaySeconds ?? 0) * 1000) return;
      const before = p.value;
      const v = p.record(await runProbe(p.probe, c, this.view.podIP ?? '127.0.0.1'));
      if (v !== before) onChange(v);
    };
    const loops = [readiness, liveness]
      .filter((p): p is ProbeState => p !== undefined)
      .map(async (p) => {
        while (!exited && !this.stop.signal.aborted) {
          await tick(p, (v) => {
            if (p === readiness) {
              this.view.ready = v;
              this.write();
            } else if (!v) {
              this.event('Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`);
              void container.kill().catch(() => {});
            }
          });
          await Promise.race([exit, this.sleep((p.probe.periodSeconds ?? 10) * 1000)]);
        }
      });
    const code = await exit;
    await Promise.all(loops);
    const finishedAt = now();
    const reason = code === 0 ? 'Completed' : 'Error';
    const terminated: ContainerState = { terminated: { exitCode: code, reason, finishedAt } };
    this.view.lastState = terminated;
    this.view.state = terminated;
    this.view.ready = false;
    this.write();
    return code;
  }

  /** Ends the container: TERM now, KILL after the grace period; a later, shorter grace wins. */
  terminate(graceSeconds: number): void {
    this.stop.abort();
    const at = Date.now() + graceSeconds * 1000;
    if (at >= this.killAt) return;
    this.killAt = at;
    const c = this.containerId ? this.o.docker.getContainer(this.containerId) : undefined;
    if (!this.killTimer) {
      this.event('Normal', 'Killing', `Stopping container ${this.view.containerName}`);
      void c?.kill({ signal: graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL' }).catch(() => {});
    }
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(
      () => void c?.kill({ signal: 'SIGKILL' }).catch(() => {}),
      Math.max(0, at - Date.now()),
    );
  }

  private async finish(): Promise<void> {
    if (this.containerId) {
      const c = this.o.docker.getContainer(this.containerId);
      await c.wait({ condition: 'not-running' }).catch(() => {});
      await c.remove({ force: true }).catch(() => {});
    }
    clearTimeout(this.killTimer);
    rmSync(join(this.o.dir, this.pod.metadata.uid!), { recursive: true, force: true });
    this.o.store.remove('pods', this.pod.metadata.namespace, this.pod.metadata.name);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }

  private current(): KubeObject | undefined {
    const cur = this.o.store.get('pods', this.pod.metadata.namespace, this.pod.metadata.name);
    return cur?.metadata.uid === this.pod.metadata.uid ? cur : undefined;
  }

  private write(): void {
    const cur = this.current();
    if (!cur) return;
    cur.status = podStatus(this.view);
    this.o.store.update('pods', cur);
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, component = 'kubelet'): void {
    recordEvent(this.o.store, this.current() ?? this.pod, type, reason, message, component);
  }
}
