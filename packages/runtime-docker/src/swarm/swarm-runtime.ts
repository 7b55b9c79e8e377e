import {
  type AwaitReadyOptions,
  Conflict,
  containerImageOf,
  type DeployOptions,
  type DeploySpec,
  type Logger,
  type LogLine,
  type LogQuery,
  NotAllowed,
  type ObservedWorkload,
  type RemoveOptions,
  type Runtime,
  Unprocessable,
  type WorkloadHandle,
  type WorkloadStats,
  type WorkloadStatsUnavailable,
} from '@berth/core';
import type Dockerode from 'dockerode';
import { isBerthManaged, LABEL } from '../berth-labels.js';
import { deploySignal, timedOut } from '../deploy-signal.js';
import { asRuntimeError, engineMessage, isNotFound } from '../docker-errors.js';
import { ENGINE_DEADLINE_MS, EngineReads } from '../engine-deadline.js';
import { engineListening } from '../engine-listening.js';
import { loggedCall } from '../logged-call.js';
import { type PublishMode, SWARM_RUNTIME, serviceSpec } from './service-spec.js';
import { SwarmCluster } from './swarm-cluster.js';
import { followServiceLogs, type ReplicaOf, serviceLogTail } from './swarm-logs.js';
import { waitForService } from './swarm-readiness.js';
import { scaleToZero, setReplicas } from './swarm-scale.js';
import { createSecrets, removeSecrets, type SecretRef, wrappedArgv } from './swarm-secrets.js';
import { serviceStats } from './swarm-stats.js';
import { observedService, replacing, type SwarmService } from './swarm-tasks.js';
import { removeVolumes, volumesToRemove } from './swarm-volumes.js';

export interface SwarmRuntimeOptions {
  /** A manager's engine. */
  docker: Dockerode;
  /** The berth node this swarm is (labels, handles). */
  node: string;
  log: Logger;
  /** `host` (default): each task publishes on its own node; `ingress`: the routing mesh (needs IPVS). */
  publishMode?: PublishMode;
  /** Placement constraints for every service (`node.labels.pool==web`). */
  constraints?: string[];
  /** Engines of other swarm nodes berth can reach (by node id or address), for stats and fast stops. */
  nodeEngines?: Record<string, Dockerode>;
  readDeadlineMs?: number;
}

/**
 * Runs image (and built) templates, and command templates that name an image, as Swarm services:
 * one service per instance, `replicas` tasks.
 */
export class SwarmRuntime implements Runtime {
  readonly kind = SWARM_RUNTIME;
  readonly scales = true;
  readonly runsImages = true;
  private readonly docker: Dockerode;
  private readonly node: string;
  private readonly log: Logger;
  private readonly publishMode: PublishMode;
  private readonly constraints: string[];
  private readonly cluster: SwarmCluster;

  constructor(opts: SwarmRuntimeOptions) {
    this.docker = opts.docker;
    this.node = opts.node;
    this.log = opts.log.child({ ns: 'runtime:swarm', node: opts.node });
    this.publishMode = opts.publishMode ?? 'host';
    this.constraints = opts.constraints ?? [];
    const reads = new EngineReads(opts.node, opts.readDeadlineMs ?? ENGINE_DEADLINE_MS.local);
    this.cluster = new SwarmCluster(opts.docker, reads, opts.nodeEngines);
  }

  async deploy(spec: DeploySpec, opts: DeployOptions = {}): Promise<ObservedWorkload> {
    const signal = deploySignal(opts);
    signal?.throwIfAborted();
    const log = this.log.child({ instance: spec.instanceName });
    const name = `berth-${spec.instanceName}`;
    try {
      const existing = await this.cluster.service(name);
      if (existing && !owns(existing, spec)) {
        throw new Conflict(
          `Swarm service ${name} exists and is not ${spec.instanceName}'s; berth leaves it alone`,
        );
      }
      const secrets = await createSecrets(this.docker, spec, log);
      try {
        signal?.throwIfAborted();
        const id = await this.apply(spec, name, existing, secrets, log);
        const since = await this.changedAt(id);
        try {
          await this.waitReady(spec, id, since, spec.readinessTimeoutMs, signal);
        } catch (err) {
          await this.discard(id, spec, log);
          throw err;
        }
        await removeSecrets(
          this.docker,
          spec,
          secrets.map((s) => s.id),
          log,
        );
        return (await this.inspect(serviceHandleOf(id, name, this.node)))!;
      } catch (err) {
        await removeSecrets(this.docker, spec, [], log).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      throw asRuntimeError(timedOut(err, opts, spec), this.node);
    }
  }

  /** Creates the service, or replaces the spec of this instance's own (scale, new image, redeploy). */
  private async apply(
    spec: DeploySpec,
    name: string,
    existing: SwarmService | undefined,
    secrets: SecretRef[],
    log: Logger,
  ): Promise<string> {
    const image = imageOf(spec);
    const argv = secrets.length > 0 ? await wrappedArgv(this.docker, spec, image) : undefined;
    const forceUpdate = (existing?.Spec.TaskTemplate?.ForceUpdate ?? 0) + 1;
    const body = serviceSpec({
      spec,
      name,
      image,
      publishMode: this.publishMode,
      constraints: this.constraints,
      secrets,
      forceUpdate,
      ...(argv ? { argv } : {}),
    });
    if (existing) {
      await loggedCall(log, `update of service ${name}`, () =>
        this.docker.getService(existing.ID).update({ version: existing.Version.Index, ...body }),
      );
      return existing.ID;
    }
    const created = await loggedCall(log, `creation of service ${name}`, () =>
      this.docker.createService(body),
    );
    return created.id;
  }

  /** When the engine recorded the change: tasks created from then on are this deploy's. */
  private async changedAt(id: string): Promise<number> {
    const s = await this.cluster.service(id);
    const at = Date.parse(s?.UpdatedAt ?? '');
    return Number.isNaN(at) ? 0 : at - 1_000;
  }

  private waitReady(spec: DeploySpec, id: string, since: number, timeoutMs: number, signal?: AbortSignal) {
    const service = this.docker.getService(id);
    return waitForService(
      {
        cluster: this.cluster,
        spec,
        serviceId: id,
        node: this.node,
        since,
        timeoutMs,
        lines: (s) => followServiceLogs(service, { tail: 0 }, s),
      },
      signal,
    );
  }

  async awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    try {
      await this.waitReady(spec, handle.id, Date.now(), opts.timeoutMs, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      throw asRuntimeError(err, this.node);
    }
  }

  /** A failed deploy leaves nothing: the service goes (its secrets are removed by the caller). */
  private async discard(id: string, spec: DeploySpec, log: Logger): Promise<void> {
    try {
      await loggedCall(log, `removal of service ${id.slice(0, 12)}`, () =>
        this.docker.getService(id).remove(),
      );
    } catch (err) {
      if (!isNotFound(err))
        log.warn({ err: engineMessage(err) }, `could not remove the failed service of ${spec.instanceName}`);
    }
  }

  /**
   * A service update of its replica count only (no forced update): Swarm adds or removes tasks and
   * the ones that run keep answering. Waits until the count runs and is ready, as deploy does.
   */
  async scale(
    handle: WorkloadHandle,
    spec: DeploySpec,
    replicas: number,
    opts: DeployOptions = {},
  ): Promise<ObservedWorkload> {
    const signal = deploySignal(opts);
    const log = this.log.child({ instance: spec.instanceName });
    try {
      const service = await this.cluster.service(handle.id);
      if (!service)
        throw new Unprocessable(`${spec.instanceName}: its Swarm service ${nameOf(handle)} is gone`);
      await loggedCall(log, `scale of ${nameOf(handle)} to ${replicas}`, () =>
        setReplicas(this.cluster, service, replicas),
      );
      const since = await this.changedAt(service.ID);
      await this.waitReady(spec, service.ID, since, opts.timeoutMs ?? spec.readinessTimeoutMs, signal);
      const seen = await this.inspect(handle);
      if (!seen) throw new Unprocessable(`${spec.instanceName}: its Swarm service went away while it scaled`);
      return seen;
    } catch (err) {
      throw asRuntimeError(timedOut(err, opts, spec), this.node);
    }
  }

  async stop(handle: WorkloadHandle, timeoutMs: number): Promise<void> {
    await this.scaleDown(handle, Math.max(0, timeoutMs));
  }

  async kill(handle: WorkloadHandle): Promise<void> {
    await this.scaleDown(handle, 0);
  }

  private async scaleDown(handle: WorkloadHandle, graceMs: number): Promise<void> {
    const service = await this.cluster.service(handle.id);
    if (!service) return;
    try {
      await loggedCall(this.log, `scale to 0 of ${nameOf(handle)}`, () =>
        scaleToZero(this.cluster, service, { graceMs, log: this.log }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw asRuntimeError(err, this.node);
    }
  }

  /**
   * Removes the service and its secrets; with `data` (rm without --keep-data) its data volume, with
   * `volumes` every named volume of it — on each engine berth reaches (a node it does not reach
   * keeps its copy, and the log says which).
   */
  async remove(handle: WorkloadHandle, opts: RemoveOptions = {}): Promise<void> {
    const service = await this.cluster.service(handle.id);
    if (!service) return;
    const labels = service.Spec.Labels ?? {};
    if (!isBerthManaged(labels)) {
      throw new NotAllowed(`Swarm service ${nameOf(handle)} was not made by berth; berth does not remove it`);
    }
    const volumes = volumesToRemove(service, opts);
    const taskNodes = volumes.length > 0 ? (await this.cluster.tasks([service.ID])).map((t) => t.NodeID) : [];
    try {
      await loggedCall(this.log, `removal of ${nameOf(handle)}`, () =>
        this.docker.getService(handle.id).remove(),
      );
    } catch (err) {
      if (!isNotFound(err)) throw asRuntimeError(err, this.node);
    }
    const owner = labels[LABEL.owner] ?? '';
    const instanceId = labels[LABEL.instanceId] ?? '';
    await removeSecrets(this.docker, { owner, instanceId }, [], this.log);
    await removeVolumes(this.cluster, volumes, { owner, instanceId }, taskNodes, this.log);
  }

  /** A service found gone is believed only once the manager also takes a new connection (as DockerRuntime). */
  async inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined> {
    const service = await this.cluster.service(handle.id);
    if (!service) {
      await new EngineReads(this.node, ENGINE_DEADLINE_MS.local).read('a new connection', (signal) =>
        engineListening(this.docker, signal),
      );
      return undefined;
    }
    const tasks = await this.cluster.tasks([service.ID]);
    return observedService(service, tasks, await this.cluster.nodes(replacing(tasks)), this.node);
  }

  /** berth's services of `owner` (by labels, for adoption), with their tasks in one more call. */
  async list(owner: string): Promise<ObservedWorkload[]> {
    const services = await this.cluster.services([
      `${LABEL.managed}=true`,
      `${LABEL.owner}=${owner}`,
      `${LABEL.runtime}=${SWARM_RUNTIME}`,
    ]);
    const tasks = await this.cluster.tasks(services.map((s) => s.ID));
    const nodes = await this.cluster.nodes(replacing(tasks));
    return services.map((s) =>
      observedService(
        s,
        tasks.filter((t) => t.ServiceID === s.ID),
        nodes,
        this.node,
      ),
    );
  }

  /** Every replica's lines, each saying which replica (its task's slot) wrote it. */
  async *logs(handle: WorkloadHandle, query: LogQuery): AsyncIterable<LogLine> {
    const service = this.docker.getService(handle.id);
    const replicaOf = slotsOf(this.cluster, handle.id);
    try {
      if (!query.follow) {
        yield* await serviceLogTail(service, query, replicaOf);
        return;
      }
      yield* followServiceLogs(service, query, query.signal, replicaOf);
    } catch (err) {
      throw asRuntimeError(err, this.node);
    }
  }

  stats(handles: WorkloadHandle[]): Promise<Map<string, WorkloadStats | WorkloadStatsUnavailable>> {
    return serviceStats(this.cluster, handles, this.log);
  }
}

/** Task id → its slot, read again when a task not seen yet writes (a replica added or replaced). */
function slotsOf(cluster: SwarmCluster, serviceId: string): ReplicaOf {
  let slots: Promise<Map<string, string>> | undefined;
  const read = async () =>
    new Map((await cluster.tasks([serviceId])).map((t) => [t.ID, String(t.Slot ?? t.ID.slice(0, 12))]));
  return async (taskId) => {
    slots ??= read();
    const known = (await slots).get(taskId);
    if (known) return known;
    slots = read();
    return (await slots).get(taskId) ?? taskId.slice(0, 12);
  };
}

function owns(service: SwarmService, spec: DeploySpec): boolean {
  const labels = service.Spec.Labels ?? {};
  return labels[LABEL.instanceId] === spec.instanceId && labels[LABEL.owner] === spec.owner;
}

function imageOf(spec: DeploySpec): string {
  const image = containerImageOf(spec)?.image;
  if (image) return image;
  throw new Unprocessable(
    `The swarm runtime runs containers: template ${spec.template} (${spec.source.kind}) names no image — add \`image:\` to its command source, or run it on node local`,
    { code: 'WRONG_RUNTIME' },
  );
}

function serviceHandleOf(id: string, name: string, node: string): WorkloadHandle {
  return { runtime: SWARM_RUNTIME, id, meta: { name, node } };
}

function nameOf(handle: WorkloadHandle): string {
  const name = handle.meta.name;
  return typeof name === 'string' ? `service ${name}` : `service ${handle.id.slice(0, 12)}`;
}
