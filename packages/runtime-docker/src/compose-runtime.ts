import { access } from 'node:fs/promises';
import {
  type AwaitReadyOptions,
  type DeployOptions,
  type DeploySpec,
  type ListOptions,
  type Logger,
  type LogLine,
  type LogQuery,
  NotAllowed,
  type ObservedWorkload,
  type Runtime,
  type Template,
  Unprocessable,
  type WorkloadHandle,
} from '@berth/core';
import type Dockerode from 'dockerode';
import { isBerthManaged, LABEL } from './berth-labels.js';
import type { ComposeCli } from './compose-cli.js';
import {
  COMPOSE_LABEL,
  COMPOSE_RUNTIME,
  type ComposeProject,
  composeHandle,
  handleFromLabels,
  prepareProject,
  projectOf,
  scaleRefusalOf,
} from './compose-project.js';
import { composeReplicas, composeWorkload, logLabels, serviceContainers } from './compose-workload.js';
import type { StatsNumbers } from './container-stats.js';
import { deploySignal, timedOut } from './deploy-signal.js';
import { asRuntimeError, isNotFound, portBindFailure } from './docker-errors.js';
import { DockerRuntime, engineAddress } from './docker-runtime.js';
import { ENGINE_DEADLINE_MS, withDeadline } from './engine-deadline.js';
import { engineListening } from './engine-listening.js';
import { type BaseImageMap, ImageResolver } from './image-resolver.js';
import { mergeLogs } from './merge-logs.js';
import { handleOf } from './observed-workload.js';
import { waitForReadiness } from './wait-for-readiness.js';

export interface ComposeRuntimeOptions {
  /** The engine the CLI talks to, for inspecting, logs and stats (Engine API). */
  docker: Dockerode;
  /** The compose CLI found on this machine (ComposeCli.find), or how to get it once found (ComposeCliSearch). */
  cli: ComposeCli | (() => Promise<ComposeCli>);
  /** `DOCKER_HOST` for the CLI: the same engine as `docker` (`unix:///var/run/docker.sock`, `tcp://…`). */
  dockerHost: string;
  /** Folder with ca.pem/cert.pem/key.pem when the engine speaks TLS. */
  certPath?: string;
  node: string;
  log: Logger;
  /** Where published ports are reached from berth (readiness); defaults like DockerRuntime's. */
  address?: string;
  baseImages?: BaseImageMap;
  /** How long an inspect or list may take before the engine counts as unreachable (ENGINE_DEADLINE_MS). */
  readDeadlineMs?: number;
  /** The environment the CLI runs in (DockerSettings.childEnv), its DOCKER_* replaced by this engine's. */
  childEnv: NodeJS.ProcessEnv;
}

type Container = Dockerode.ContainerInfo;

/**
 * Runs `compose` templates: one instance is one compose project `berth-<instance>`, driven by the
 * compose CLI (argument arrays only) and observed through the Engine API by its labels. Its
 * replicas are the primary service's containers (`up --scale <primary>=N`); the other services
 * run one container each, shared by the replicas.
 */
export class ComposeRuntime implements Runtime {
  readonly kind = COMPOSE_RUNTIME;
  readonly scales = true;
  private readonly log: Logger;
  private readonly address: string;
  private readonly images: ImageResolver;
  /** Logs and stats of the project's containers are those of containers. */
  private readonly containers: DockerRuntime;

  constructor(private readonly o: ComposeRuntimeOptions) {
    this.log = o.log.child({ ns: 'runtime:compose', node: o.node });
    this.address = o.address ?? engineAddress(o.docker);
    this.images = new ImageResolver(o.docker, o.baseImages ?? {}, this.log, false);
    this.containers = new DockerRuntime({ docker: o.docker, node: o.node, log: o.log });
  }

  async deploy(spec: DeploySpec, opts: DeployOptions = {}): Promise<ObservedWorkload> {
    const signal = deploySignal(opts);
    signal?.throwIfAborted();
    const log = this.log.child({ instance: spec.instanceName });
    const project = await prepareProject(spec, (image) => this.localImage(image));
    const handle = composeHandle(project, this.o.node);
    try {
      const up = ['up', '-d', '--remove-orphans', ...scaleArgs(project, spec.replicas)];
      await this.compose(project, up, { env: spec.env, signal });
      await this.replicasReady(project, spec, log, signal);
      const seen = await this.inspect(handle);
      if (!seen) throw new Error(`project ${project.project} vanished right after it started`);
      return seen;
    } catch (err) {
      await this.discard(project.project).catch((e) =>
        log.warn({ err: String(e) }, `could not take down project ${project.project} after a failed deploy`),
      );
      throw portBindFailure(err, spec, this.o.node) ?? asRuntimeError(timedOut(err, opts, spec), this.o.node);
    }
  }

  /**
   * Takes down what a failed deploy left, through the Engine API as DockerRuntime discards a failed
   * container: berth's containers of the project removed by force, then the project's networks. A
   * second compose CLI run (`down`) cost seconds more on a busy machine — the readiness timeout
   * plus the teardown is what a failed deploy takes.
   */
  private async discard(project: string): Promise<void> {
    const containers = await this.projectContainers(project);
    await Promise.all(
      containers.map((c) =>
        this.o.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch((err) => {
            if (!isNotFound(err)) throw asRuntimeError(err, this.o.node);
          }),
      ),
    );
    const networks = await withDeadline(
      this.o.node,
      `listing of the networks of project ${project}`,
      (abortSignal) =>
        this.o.docker.listNetworks({
          filters: { label: [`${COMPOSE_LABEL.project}=${project}`] },
          abortSignal,
        }),
      this.o.readDeadlineMs ?? ENGINE_DEADLINE_MS.local,
    );
    await Promise.all(
      networks.map((n) =>
        this.o.docker
          .getNetwork(n.Id)
          .remove()
          .catch((err) => {
            if (!isNotFound(err)) throw asRuntimeError(err, this.o.node);
          }),
      ),
    );
  }

  /** For a project found running after a berth restart: the wait deploy() does, on its primary containers. */
  async awaitReady(handle: WorkloadHandle, spec: DeploySpec, opts: AwaitReadyOptions): Promise<void> {
    const log = this.log.child({ instance: spec.instanceName });
    try {
      const timed = { ...spec, readinessTimeoutMs: opts.timeoutMs };
      await this.replicasReady(projectOf(handle), timed, log, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      throw asRuntimeError(err, this.o.node);
    }
  }

  /**
   * `up --scale <primary>=N --no-recreate`: compose adds or removes the primary service's
   * containers (the highest numbers go first) and leaves the ones that run as they are. Waits until
   * each is ready per spec.readiness, as deploy does.
   */
  async scale(
    handle: WorkloadHandle,
    spec: DeploySpec,
    replicas: number,
    opts: DeployOptions = {},
  ): Promise<ObservedWorkload> {
    const signal = deploySignal(opts);
    const log = this.log.child({ instance: spec.instanceName });
    const project = projectOf(handle);
    try {
      if (!project.primary || project.files.length === 0 || !(await filesExist(project.files))) {
        throw new Unprocessable(
          `${spec.instanceName}: the compose files of project ${project.project} are gone; redeploy it to scale`,
        );
      }
      const args = ['up', '-d', '--no-recreate', ...scaleArgs(project, replicas)];
      await this.compose(project, args, { env: spec.env, signal });
      await this.replicasReady(project, spec, log, signal);
      const seen = await this.inspect(handle);
      if (!seen)
        throw new Unprocessable(`${spec.instanceName}: project ${project.project} went away while it scaled`);
      return seen;
    } catch (err) {
      throw asRuntimeError(timedOut(err, opts, spec), this.o.node);
    }
  }

  /** Why this compose template cannot run `replicas` replicas: its primary service publishes a host port. */
  scaleRefusal(template: Template, templateDir: string | null, replicas: number): Promise<string | null> {
    return scaleRefusalOf(template, templateDir, replicas);
  }

  /** Waits until each of the primary service's containers is ready per spec.readiness. */
  private async replicasReady(p: ComposeProject, spec: DeploySpec, log: Logger, signal?: AbortSignal) {
    const all = await this.projectContainers(p.project);
    const replicas = serviceContainers(all, p.primary);
    const waitOn = replicas.length > 0 ? replicas : all.slice(0, 1);
    if (waitOn.length === 0) throw new Error(`compose started no container for project ${p.project}`);
    await Promise.all(
      waitOn.map((c) =>
        waitForReadiness(
          { container: this.o.docker.getContainer(c.Id), spec, address: this.address, log },
          signal,
        ),
      ),
    );
  }

  /** The image to write into the override: the mapped local image when the original is missing. */
  private async localImage(image: string): Promise<string | undefined> {
    try {
      return await this.images.resolve(image);
    } catch {
      return undefined; // let compose try (and report) the original
    }
  }

  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const {
      DOCKER_HOST: _h,
      DOCKER_TLS_VERIFY: _t,
      DOCKER_CERT_PATH: _c,
      DOCKER_CONTEXT: _x,
      ...base
    } = this.o.childEnv;
    return {
      ...base,
      ...extra,
      DOCKER_HOST: this.o.dockerHost,
      ...(this.o.certPath ? { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: this.o.certPath } : {}),
    };
  }

  /** `<cli> -p <project> -f <file>… [--env-file <file>] <args>`. */
  private compose(
    p: ComposeProject,
    args: string[],
    opts: { env?: Record<string, string>; signal?: AbortSignal | undefined } = {},
  ): Promise<string> {
    const global = [
      '-p',
      p.project,
      ...p.files.flatMap((f) => ['-f', f]),
      ...(p.projectDir ? ['--project-directory', p.projectDir] : []),
    ];
    if (p.envFile) global.push('--env-file', p.envFile);
    const what = `${args[0]} of project ${p.project}`;
    this.log.debug({ project: p.project }, `Starting ${what}…`);
    const cli = this.o.cli;
    return (typeof cli === 'function' ? cli() : Promise.resolve(cli))
      .then((found) =>
        found.run([...global, ...args], { env: this.env(opts.env), signal: opts.signal, what }),
      )
      .then((out) => {
        this.log.debug({ project: p.project }, `Started ${what}`);
        return out;
      });
  }

  /** The project's containers; berth's only unless `all` (to check before removing anything). */
  private async projectContainers(project: string, all = false): Promise<Container[]> {
    const label = [`${COMPOSE_LABEL.project}=${project}`, ...(all ? [] : [`${LABEL.managed}=true`])];
    const filters = { label };
    return withDeadline(
      this.o.node,
      `listing of project ${project}`,
      (abortSignal) => this.o.docker.listContainers({ all: true, filters, abortSignal }),
      this.o.readDeadlineMs ?? ENGINE_DEADLINE_MS.local,
    );
  }

  /**
   * A project found stopped or gone is believed only once the engine also takes a new connection:
   * one shutting down closes its listeners, then stops its containers while still answering on
   * kept-alive connections — that is the node going away (RuntimeUnavailable), not the project
   * failing, and no restart attempt is spent on it (as DockerRuntime.inspect).
   */
  async inspect(handle: WorkloadHandle): Promise<ObservedWorkload | undefined> {
    const seen = await this.observe(await this.projectContainers(handle.id));
    if (!seen?.running) {
      await withDeadline(
        this.o.node,
        'a new connection',
        (signal) => engineListening(this.o.docker, signal),
        this.o.readDeadlineMs ?? ENGINE_DEADLINE_MS.local,
      );
    }
    return seen;
  }

  /**
   * One project's containers → its observed state: the primary service's containers are its
   * replicas, and the first that runs (else the first) speaks for it.
   */
  private async observe(containers: Container[]): Promise<ObservedWorkload | undefined> {
    const first = containers[0];
    if (!first) return undefined;
    const replicas = serviceContainers(containers, first.Labels[COMPOSE_LABEL.primary]);
    const primary = replicas.find((c) => c.State === 'running') ?? replicas[0] ?? first;
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await withDeadline(
        this.o.node,
        'inspection of a container',
        (abortSignal) => this.o.docker.getContainer(primary.Id).inspect({ abortSignal }),
        this.o.readDeadlineMs ?? ENGINE_DEADLINE_MS.local,
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const seen = replicas.length > 0 ? composeReplicas(replicas, this.o.node) : undefined;
    return composeWorkload(info, handleFromLabels(first.Labels, this.o.node), seen);
  }

  /** One listing by label whether or not `_opts.known` is given: it costs the same as asking for those alone. */
  async list(owner: string, _opts?: ListOptions): Promise<ObservedWorkload[]> {
    const filters = {
      label: [`${LABEL.managed}=true`, `${LABEL.owner}=${owner}`, `${LABEL.runtime}=${COMPOSE_RUNTIME}`],
    };
    const all = await withDeadline(
      this.o.node,
      'listing of compose projects',
      (abortSignal) => this.o.docker.listContainers({ all: true, filters, abortSignal }),
      this.o.readDeadlineMs ?? ENGINE_DEADLINE_MS.local,
    );
    const byProject = new Map<string, Container[]>();
    for (const c of all) {
      const project = c.Labels[COMPOSE_LABEL.project];
      if (!project) continue;
      byProject.set(project, [...(byProject.get(project) ?? []), c]);
    }
    const seen = await Promise.all([...byProject.values()].map((cs) => this.observe(cs)));
    return seen.filter((w): w is ObservedWorkload => w !== undefined);
  }

  async stop(handle: WorkloadHandle, timeoutMs: number): Promise<void> {
    const t = String(Math.max(0, Math.ceil(timeoutMs / 1000)));
    await this.onProject(handle, ['stop', '-t', t], (c) => c.stop({ t: Number(t) }));
  }

  async kill(handle: WorkloadHandle): Promise<void> {
    await this.onProject(handle, ['kill'], (c) => c.kill());
  }

  async remove(handle: WorkloadHandle, opts: { volumes?: boolean } = {}): Promise<void> {
    const containers = await this.projectContainers(handle.id, true);
    if (containers.length === 0) return;
    if (!containers.every((c) => isBerthManaged(c.Labels))) {
      throw new NotAllowed(
        `Project ${handle.id} has containers berth did not make; berth does not remove it`,
      );
    }
    const args = ['down', '--remove-orphans', ...(opts.volumes ? ['-v'] : [])];
    await this.onProject(handle, args, (c) => c.remove({ force: true, v: opts.volumes ?? false }));
  }

  /**
   * Runs a compose command on the project; when its files are gone (a template deleted, an orphan),
   * does the same to each container through the Engine API instead.
   */
  private async onProject(
    handle: WorkloadHandle,
    args: string[],
    fallback: (c: Dockerode.Container) => Promise<unknown>,
  ): Promise<void> {
    const p = projectOf(handle);
    if (p.files.length > 0 && (await filesExist(p.files))) {
      await this.compose(p, args);
      return;
    }
    this.log.debug({ project: p.project }, `compose files of ${p.project} are gone; using the Engine API`);
    const containers = await this.projectContainers(handle.id);
    await Promise.all(
      containers.map((c) =>
        fallback(this.o.docker.getContainer(c.Id)).catch((err) => {
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== 304 && status !== 404 && status !== 409) throw asRuntimeError(err, this.o.node);
        }),
      ),
    );
  }

  async *logs(handle: WorkloadHandle, query: LogQuery): AsyncIterable<LogLine> {
    const containers = await this.projectContainers(handle.id);
    const prefix = containers.length > 1;
    const labels = logLabels(containers);
    const streams = containers.map((c) => {
      const service = labels.get(c.Id) ?? c.Id.slice(0, 12);
      const h = handleOf({ Id: c.Id, Name: c.Names[0] ?? c.Id }, this.o.node);
      return { service, lines: this.containers.logs(h, query) };
    });
    const labelled = streams.map(({ service, lines }) => withPrefix(lines, prefix ? `${service} | ` : ''));
    if (query.follow) {
      yield* mergeLogs(labelled);
      return;
    }
    const all: LogLine[] = [];
    for (const s of labelled) for await (const l of s) all.push(l);
    all.sort((a, b) => a.ts - b.ts);
    yield* query.tail !== undefined ? all.slice(Math.max(0, all.length - query.tail)) : all;
  }

  /** Per project: the sum over its running containers. */
  async stats(handles: WorkloadHandle[]): Promise<Map<string, StatsNumbers>> {
    const out = new Map<string, StatsNumbers>();
    await Promise.all(
      handles.map(async (h) => {
        const running = (await this.projectContainers(h.id)).filter((c) => c.State === 'running');
        const per = await this.containers.stats(
          running.map((c) => handleOf({ Id: c.Id, Name: c.Id }, this.o.node)),
        );
        if (per.size === 0) return;
        const sum = { cpuPercent: 0, memoryBytes: 0, memoryPercent: 0 };
        for (const s of per.values()) {
          sum.cpuPercent += s.cpuPercent;
          sum.memoryBytes += s.memoryBytes;
          sum.memoryPercent += s.memoryPercent;
        }
        out.set(h.id, sum);
      }),
    );
    return out;
  }
}

async function* withPrefix(lines: AsyncIterable<LogLine>, prefix: string): AsyncIterable<LogLine> {
  for await (const l of lines) yield prefix ? { ...l, line: prefix + l.line } : l;
}

/** `--scale <primary>=N`: compose runs the instance's replicas as that many containers of it. */
function scaleArgs(p: ComposeProject, replicas: number): string[] {
  return p.primary ? ['--scale', `${p.primary}=${replicas}`] : [];
}

async function filesExist(files: string[]): Promise<boolean> {
  const checks = await Promise.allSettled(files.map((f) => access(f)));
  return checks.every((c) => c.status === 'fulfilled');
}
