import {
  type AdoptAs,
  type AwaitReadyOptions,
  Conflict,
  containerImageOf,
  type DeployOptions,
  type DeploySpec,
  type ListOptions,
  type Logger,
  type LogLine,
  type LogQuery,
  type NamedWorkload,
  NotAllowed,
  type ObservedWorkload,
  type RemoveOptions,
  type Runtime,
  Unprocessable,
  type WorkloadHandle,
} from '@berth/core';
import type Dockerode from 'dockerode';
import { adoptedHandle, isAdoptedHandle, namedWorkload, observedAs } from './adopted-container.js';
import { isBerthManaged, LABEL } from './berth-labels.js';
import { containerConfig } from './container-config.js';
import { type StatsNumbers, statsNumbers } from './container-stats.js';
import { deploySignal, timedOut } from './deploy-signal.js';
import {
  asRuntimeError,
  engineMessage,
  isConflict,
  isNotFound,
  isNotModified,
  portBindFailure,
} from './docker-errors.js';
import { DockerLogDecoder } from './docker-log-decoder.js';
import { ENGINE_DEADLINE_MS, EngineReads } from './engine-deadline.js';
import { engineListening } from './engine-listening.js';
import { type BaseImageMap, ImageResolver } from './image-resolver.js';
import { InstanceVolumes } from './instance-volumes.js';
import { loggedCall } from './logged-call.js';
import { DOCKER_RUNTIME, observedWorkload } from './observed-workload.js';
import { type DataVolumeMode, type VolumeMount, volumeMounts } from './volume-mounts.js';
import { type DirectProbe, waitForReadiness } from './wait-for-readiness.js';

export interface DockerRuntimeOptions {
  /** The engine client; one per node, made by connectDocker. */
  docker: Dockerode;
  /** The node this engine is (goes into `berth.node` labels and handles). */
  node: string;
  log: Logger;
  /** Where published ports are reached from berth (readiness); defaults to the tcp host or 127.0.0.1. */
  address?: string;
  /** Host address published ports bind to; 0.0.0.0 by default. */
  hostIp?: string;
  /** Image reference → local image, used when the image itself is missing (air-gapped hosts). */
  baseImages?: BaseImageMap;
  /** Pull missing images (default true). */
  pull?: boolean;
  /** `bind` mounts the data directory (local engine, the default); `named` gives remote engines a named volume. */
  dataVolumes?: DataVolumeMode;
  /** How long an inspect or list may take before the engine counts as unreachable (ENGINE_DEADLINE_MS). */
  readDeadlineMs?: number;
  /**
   * Readiness probes reach containers at their own IP on the bridge network rather than through
   * the published port (the local, rootful engine; see DirectProbe). Off by default.
   */
  probeContainerIp?: boolean;
}

const MAX_NAME_ATTEMPTS = 20;

/**
 * Runs `image` (and built) templates, and command templates that name an image, as containers on
 * one Docker engine, through the Engine API.
 */
export class DockerRuntime implements Runtime {
  readonly kind = DOCKER_RUNTIME;
  readonly runsImages = true;
  private readonly docker: Dockerode;
  private readonly node: string;
  private readonly log: Logger;
  private readonly address: string;
  private readonly hostIp: string;
  private readonly dataVolumes: DataVolumeMode;
  private readonly images: ImageResolver;
  private readonly volumes: InstanceVolumes;
  private readonly reads: EngineReads;
  private readonly direct: DirectProbe | undefined;
  private hostMemory: Promise<number> | undefined;

  constructor(opts: DockerRuntimeOptions) {
    this.docker = opts.docker;
    this.node = opts.node;
    this.log = opts.log.child({ ns: 'runtime:docker', node: opts.node });
    this.address = opts.address ?? engineAddress(opts.docker);
    this.hostIp = opts.hostIp ?? '0.0.0.0';
    this.dataVolumes = opts.dataVolumes ?? 'bind';
    this.images = new ImageResolver(opts.docker, opts.baseImages ?? {}, this.log, opts.pull ?? true);
    this.volumes = new InstanceVolumes(opts.docker, this.log);
    this.direct = opts.probeContainerIp ? { works: undefined } : undefined;
    this.reads = new EngineReads(opts.node, opts.readDeadlineMs ?? ENGINE_DEADLINE_MS.local);
  }

  async deploy(spec: DeploySpec, opts: DeployOptions = {}): Promise<ObservedWorkload> {
    const signal = deploySignal(opts);
    signal?.throwIfAborted();
    const log = this.log.child({ instance: spec.instanceName });
    try {
      const mounts = volumeMounts(spec, this.dataVolumes);
      await this.volumes.prepare(spec, mounts);
      signal?.throwIfAborted();
      const container = await this.createWithImage(spec, mounts, log, signal);
      try {
        await this.start(container, spec, log);
        const ready = await loggedCall(log, `readiness wait (${spec.readiness.kind})`, () =>
          waitForReadiness({ container, spec, address: this.address, log, direct: this.direct }, signal),
        );
        return observedWorkload(ready ?? (await container.inspect()), this.node);
      } catch (err) {
        await this.discard(container, log);
        throw err;
      }
    } catch (err) {
      throw asRuntimeError(timedOut(err, opts, spec), this.node);
    }
  }

  /** For a container found running after a berth restart: the readiness wait its deploy does. */
  async awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    const log = this.log.child({ instance: spec.instanceName });
    const container = this.docker.getContainer(handle.id);
    try {
      await loggedCall(log, `readiness wait of an adopted container (${spec.readiness.kind})`, () =>
        waitForReadiness(
          {
            container,
            spec: { ...spec, readinessTimeoutMs: opts.timeoutMs },
            address: this.address,
            log,
            direct: this.direct,
          },
          opts.signal,
        ),
      );
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (isNotFound(err)) {
        throw new Unprocessable(
          `${spec.instanceName} is gone: its container was removed before it was ready`,
          {
            code: 'NOT_READY',
          },
        );
      }
      throw asRuntimeError(err, this.node);
    }
  }

  /**
   * Creates the container from the template's image, and only when the engine says it has no such
   * image asks the resolver (base-image mapping, pull) — the usual case costs no image lookup.
   */
  private async createWithImage(
    spec: DeploySpec,
    mounts: VolumeMount[],
    log: Logger,
    signal: AbortSignal | undefined,
  ): Promise<Dockerode.Container> {
    const ref = imageOf(spec);
    try {
      return await this.create(spec, ref, mounts, log);
    } catch (err) {
      if (!isNotFound(err) || !/no such image/i.test(engineMessage(err))) throw err;
    }
    const image = await this.images.resolve(ref, signal);
    signal?.throwIfAborted();
    return this.create(spec, image, mounts, log);
  }

  /**
   * Creates the container as `berth-<instance>`; when the name is taken, a stopped leftover of this
   * instance is replaced and a foreign holder makes it try `berth-<instance>-2`, -3… The name is
   * looked at only after the engine refused it, so the usual case is one call.
   */
  private async create(
    spec: DeploySpec,
    image: string,
    mounts: VolumeMount[],
    log: Logger,
  ): Promise<Dockerode.Container> {
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const name = attempt === 1 ? `berth-${spec.instanceName}` : `berth-${spec.instanceName}-${attempt}`;
      const config = containerConfig({ spec, name, image, mounts, hostIp: this.hostIp });
      for (let again = 0; again < 2; again++) {
        try {
          return await loggedCall(log, `creation of container ${name}`, () =>
            this.docker.createContainer(config),
          );
        } catch (err) {
          if (!isConflict(err)) throw err;
        }
        if (!(await this.nameUsable(name, spec, log))) break;
      }
    }
    throw new Conflict(`No free container name for ${spec.instanceName} after ${MAX_NAME_ATTEMPTS} tries`);
  }

  /** Free, or a stopped leftover of this very instance (removed here); a foreign holder means "try another". */
  private async nameUsable(name: string, spec: DeploySpec, log: Logger): Promise<boolean> {
    const existing = await this.find(name);
    if (!existing) return true;
    const labels = existing.Config.Labels ?? {};
    const ours = labels[LABEL.instanceId] === spec.instanceId && labels[LABEL.owner] === spec.owner;
    if (!ours) return false;
    if (existing.State.Running) {
      throw new Conflict(`Instance ${spec.instanceName} already has a running container ${name}`, {
        code: 'ALREADY_RUNNING',
        details: { container: existing.Id },
      });
    }
    await loggedCall(log, `removal of stale container ${name}`, () =>
      this.docker.getContainer(existing.Id).remove({ force: true }),
    );
    return true;
  }

  private async start(container: Dockerode.Container, spec: DeploySpec, log: Logger): Promise<void> {
    try {
      await loggedCall(log, `container ${container.id.slice(0, 12)}`, () => container.start());
    } catch (err) {
      const message = engineMessage(err);
      throw (
        portBindFailure(err, spec, this.node) ??
        new Unprocessable(`Docker could not start ${spec.instanceName}: ${message}`, { cause: err })
      );
    }
  }

  private async discard(container: Dockerode.Container, log: Logger): Promise<void> {
    try {
      await loggedCall(log, `removal of container ${container.id.slice(0, 12)}`, () =>
        container.remove({ force: true }),
      );
    } catch (err) {
      if (!isNotFound(err)) log.warn({ err: engineMessage(err) }, 'could not remove a container that failed');
    }
  }

  /** The container, or undefined when it is gone; RuntimeUnavailable within a short deadline when the engine is not. */
  private async find(idOrName: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    try {
      return await this.reads.read('inspection of a container', (abortSignal) =>
        this.docker.getContainer(idOrName).inspect({ abortSignal }),
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async stop(handle: WorkloadHandle, timeoutMs: number): Promise<void> {
    const t = Math.max(0, Math.ceil(timeoutMs / 1000));
    await this.ignoringGone(`stop of ${nameOf(handle)}`, () =>
      this.docker.getContainer(handle.id).stop({ t }),
    );
  }

  async kill(handle: WorkloadHandle): Promise<void> {
    await this.ignoringGone(`kill of ${nameOf(handle)}`, () => this.docker.getContainer(handle.id).kill());
  }

  /** Runs a call on a container that may be gone or already stopped — both are fine. */
  private async ignoringGone(what: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await loggedCall(this.log, what, call);
    } catch (err) {
      if (isNotFound(err) || isNotModified(err) || isConflict(err)) return;
      throw asRuntimeError(err, this.node);
    }
  }

  /**
   * Removes a container berth made, or one it took over (an import) while that still carries no
   * berth label: the operator handed it to berth. A taken-over container's volumes are the other
   * system's data and stay.
   */
  async remove(handle: WorkloadHandle, opts: RemoveOptions = {}): Promise<void> {
    const info = await this.find(handle.id);
    if (!info) return;
    const adopted = isAdoptedHandle(handle) && namedWorkload(info).owner === null;
    if (!isBerthManaged(info.Config.Labels) && !adopted) {
      throw new NotAllowed(`Container ${nameOf(handle)} was not made by berth; berth does not remove it`);
    }
    const volumes = !adopted && (opts.volumes ?? false);
    const data = !adopted && (opts.data ?? false);
    await this.ignoringGone(`removal of ${nameOf(handle)}`, () =>
      this.docker.getContainer(handle.id).remove({ force: true, v: volumes }),
    );
    if (volumes || data) await this.volumes.removeFor(info, { volumes });
  }

  /** The container named exactly `name` (the engine also resolves ids and id prefixes: those are not it). */
  async findByName(name: string): Promise<NamedWorkload | undefined> {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return undefined;
    const info = await this.find(name);
    return info && info.Name === `/${name}` ? namedWorkload(info) : undefined;
  }

  async adopt(found: NamedWorkload, as: AdoptAs): Promise<ObservedWorkload | undefined> {
    const info = await this.find(found.ref);
    const handle = adoptedHandle(info, found, as, this.node);
    if (!info || !handle) return undefined;
    this.log.info({ instance: as.instanceName, container: found.name }, 'Took over a running container');
    return observedAs(info, this.node, handle);
  }

  /**
   * A container found stopped or gone is believed only once the engine also takes a new
   * connection: one shutting down stops its containers after closing its listeners, and that is
   * the node going away (RuntimeUnavailable), not the workload failing.
   */
  async inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined> {
    const info = await this.find(handle.id);
    if (!info?.State.Running) {
      await this.reads.read('a new connection', (signal) => engineListening(this.docker, signal));
    }
    return info ? observedAs(info, this.node, handle) : undefined;
  }

  /**
   * One listing by label whether or not `opts.known` is given (it costs the same as asking for
   * those alone), plus the known containers taken over from another system, which carry no label.
   */
  async list(owner: string, opts?: ListOptions): Promise<ObservedWorkload[]> {
    const filters = { label: [`${LABEL.managed}=true`, `${LABEL.owner}=${owner}`] };
    const found = await this.reads.read('listing of berth containers', (abortSignal) =>
      this.docker.listContainers({ all: true, filters, abortSignal }),
    );
    // Containers of compose projects belong to the compose runtime, which lists them per project.
    const own = found.filter((c) => c.Labels?.[LABEL.runtime] !== 'compose');
    const infos = await Promise.all(own.map((c) => this.find(c.Id)));
    const listed = infos.filter((i) => i !== undefined).map((i) => observedWorkload(i, this.node));
    return [...listed, ...(await this.adoptedAmong(owner, opts?.known ?? []))];
  }

  /**
   * The known containers this installation took over (no label lists them), each looked up by
   * id; a full listing leaves them out, since they are neither orphans nor to be adopted again.
   */
  private async adoptedAmong(owner: string, known: WorkloadHandle[]): Promise<ObservedWorkload[]> {
    const mine = known.filter((h) => isAdoptedHandle(h) && h.meta.owner === owner);
    const infos = await Promise.all(mine.map(async (h) => ({ h, info: await this.find(h.id) })));
    return infos.flatMap(({ h, info }) => (info ? [observedAs(info, this.node, h)] : []));
  }

  async *logs(handle: WorkloadHandle, query: LogQuery): AsyncIterable<LogLine> {
    const container = this.docker.getContainer(handle.id);
    const since = query.since ?? 0;
    const base = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(query.tail !== undefined ? { tail: query.tail } : {}),
      since: Math.floor(since / 1000),
    };
    const keep = (l: LogLine) => l.ts >= since;
    if (!query.follow) {
      const buf = await this.engine(`logs of ${nameOf(handle)}`, () =>
        container.logs({ ...base, follow: false }),
      );
      const decoder = new DockerLogDecoder();
      yield* [...decoder.push(buf), ...decoder.end()].filter(keep);
      return;
    }
    yield* this.follow(container, { ...base, follow: true }, keep, query.signal);
  }

  private async *follow(
    container: Dockerode.Container,
    options: Dockerode.ContainerLogsOptions & { follow: true },
    keep: (l: LogLine) => boolean,
    signal: AbortSignal | undefined,
  ): AsyncIterable<LogLine> {
    if (signal?.aborted) return;
    const stream = (await this.engine('log follow', () =>
      container.logs(options),
    )) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    const stop = () => stream.destroy();
    signal?.addEventListener('abort', stop, { once: true });
    const decoder = new DockerLogDecoder();
    try {
      for await (const chunk of stream) yield* decoder.push(chunk as Buffer).filter(keep);
      yield* decoder.end().filter(keep);
    } catch (err) {
      if (!signal?.aborted) throw asRuntimeError(err, this.node);
    } finally {
      signal?.removeEventListener('abort', stop);
      stream.destroy();
    }
  }

  async stats(handles: WorkloadHandle[]): Promise<Map<string, StatsNumbers>> {
    const total = await this.hostMemoryBytes();
    const out = new Map<string, StatsNumbers>();
    await Promise.all(
      handles.map(async (h) => {
        try {
          const s = await this.docker.getContainer(h.id).stats({ stream: false });
          out.set(h.id, statsNumbers(s, total));
        } catch (err) {
          if (!isNotFound(err)) this.log.debug({ err: engineMessage(err) }, `no stats for ${nameOf(h)}`);
        }
      }),
    );
    return out;
  }

  /** The host's real memory (the engine's MemTotal), asked once. */
  private hostMemoryBytes(): Promise<number> {
    this.hostMemory ??= this.engine('engine info', () => this.docker.info()).then(
      (info: { MemTotal?: number }) => info.MemTotal ?? 0,
      (err) => {
        this.hostMemory = undefined;
        throw err;
      },
    );
    return this.hostMemory;
  }

  private async engine<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await loggedCall(this.log, what, call);
    } catch (err) {
      throw asRuntimeError(err, this.node);
    }
  }
}

function imageOf(spec: DeploySpec): string {
  const image = containerImageOf(spec)?.image;
  if (image) return image;
  throw new Unprocessable(
    `The docker runtime runs containers: template ${spec.template} (${spec.source.kind}) names no image — add \`image:\` to its command source, or run it on node local`,
    { code: 'WRONG_RUNTIME' },
  );
}

function nameOf(handle: WorkloadHandle): string {
  const name = handle.meta.name;
  return typeof name === 'string' ? `container ${name}` : `container ${handle.id.slice(0, 12)}`;
}

/** The host a tcp client talks to, else loopback (a local socket publishes on this machine). */
export function engineAddress(docker: Dockerode): string {
  const host = (docker.modem as { host?: unknown; socketPath?: unknown }).host;
  return typeof host === 'string' && host !== '' ? host : '127.0.0.1';
}
