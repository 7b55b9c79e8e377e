import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DetectResult, FINISHED_BUILD_STATUSES } from '@berth/contracts';
import {
  type Clock,
  Conflict,
  type EventBus,
  type InstanceService,
  isBerthError,
  type Logger,
  NotFound,
  RuntimeUnavailable,
  silentLogger,
  systemClock,
  type TemplateService,
  userMessage,
} from '@berth/core';
import { detect } from '../detect.js';
import type { Detection } from '../detection.js';
import type { BuildProgress } from '../image/build-progress.js';
import type { ImageBuilder } from '../image/image-builder.js';
import { importSource } from '../import-source.js';
import { checkedSource, DEFAULT_SOURCE_POLICY, type SourcePolicy } from '../local-source.js';
import { manifestName } from '../manifest-name.js';
import { checkSourceSize } from '../measure-source.js';
import { plan } from '../plan.js';
import { readGitTree } from '../read-git-tree.js';
import { readRepoTree } from '../read-repo-tree.js';
import type { RepoTree } from '../repo-tree.js';
import { type BuildEvent, BuildFeed } from './build-feed.js';
import { type CreateBuildInput, validBuildInput } from './build-input.js';
import { appendLog } from './build-log.js';
import { buildImage, type PipelineContext, prepare, sourceDir } from './build-pipeline.js';
import { type BuildRecord, type BuildStatus, type BuildSummary, summary } from './build-record.js';
import { JsonBuildStore } from './build-store.js';
import { deployBuild } from './deploy-build.js';

export interface BuildServiceOptions {
  /** BERTH_HOME; builds live in `<home>/builds/<id>/`. */
  home: string;
  templates: TemplateService;
  instances: InstanceService;
  /** Absent when there is no Docker engine: detection still works, builds are refused. */
  builder?: ImageBuilder | undefined;
  clock?: Clock;
  log?: Logger;
  newId?: () => string;
  /** Build timeout (default 300 s). */
  buildTimeoutMs?: number;
  /** Build every layer afresh, never from the engine's cache (default false). */
  noCache?: boolean;
  /** Host ports built apps lease from (the ledger's default range when absent). */
  portRange?: [number, number];
  /** Local directories sources may come from, and the caps on an import (default: no local paths). */
  sources?: SourcePolicy;
  /** Told of each build's end (`build.finished`), for the event feed and notifications. */
  events?: Pick<EventBus, 'emit'>;
}

/** How a build's end reads in its event. */
const ENDED: Partial<Record<BuildStatus, string>> = {
  done: 'succeeded',
  failed: 'failed',
  cancelled: 'was cancelled',
};

/** Scratch folders of `detect` under `builds/`: never a build id (those are hex), removed at start-up. */
const SCRATCH = 'detect-';

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Deploys from a repository: import → detect → plan → build → a `build` template and its
 * instance. Work runs in the background; the record (`builds/<id>/build.json`) says how far it got.
 */
export class BuildService {
  private readonly store: JsonBuildStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly newId: () => string;
  private readonly records = new Map<string, BuildRecord>();
  private readonly running = new Map<string, Running>();
  private readonly flushes = new Map<string, NodeJS.Timeout>();
  private readonly feed = new BuildFeed();
  private readonly sources: SourcePolicy;

  constructor(private readonly opts: BuildServiceOptions) {
    this.store = new JsonBuildStore(join(opts.home, 'builds'));
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.log ?? silentLogger).child({ ns: 'build' });
    this.newId = opts.newId ?? (() => randomBytes(6).toString('hex'));
    this.sources = opts.sources ?? DEFAULT_SOURCE_POLICY;
  }

  /**
   * Marks builds that were under way when berth stopped as failed (their work is gone, and so is
   * their half-imported source), and removes the scratch folders of detections cut short.
   */
  async recover(): Promise<number> {
    for (const name of await readdir(this.store.root).catch(() => [] as string[])) {
      if (name.startsWith(SCRATCH)) await rm(join(this.store.root, name), { recursive: true, force: true });
    }
    let count = 0;
    for (const r of await this.store.list()) {
      if (FINISHED_BUILD_STATUSES.includes(r.status)) continue;
      this.fail(r, {
        kind: 'unprocessable',
        code: 'INTERRUPTED',
        message: `berth stopped while the build was ${r.status}`,
      });
      await this.store.save(r);
      await rm(sourceDir(this.store.dir(r.id)), { recursive: true, force: true });
      count++;
    }
    return count;
  }

  /**
   * Detects and shows the plan; nothing is kept. An allowed local directory is read in place; a
   * git URL is cloned into a scratch folder that is removed afterwards.
   */
  async detect(source: string, options: { app?: string | undefined } = {}): Promise<DetectResult> {
    const input = validBuildInput({ source, overrides: { app: options.app } });
    const found = { app: input.overrides.app };
    const ref = await checkedSource(input.source, this.sources);
    if (ref.kind === 'path') return describeTree(input, await readRepoTree(ref.path), found);
    // A local repository (file:// URL, allowed by checkedSource) is read from its objects in place.
    const local = ref.url.startsWith('file:')
      ? await readGitTree(fileURLToPath(ref.url)).catch(() => undefined)
      : undefined;
    if (local) {
      // Refused as an import of it would be, though nothing is copied.
      checkSourceSize(ref.url, local.size, this.sources);
      return describeTree(input, local, found);
    }
    const dir = join(this.store.root, `${SCRATCH}${this.newId()}`);
    try {
      await importSource(ref, dir, { logger: this.log, limits: this.sources });
      return describeTree(input, await readRepoTree(dir), found);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Records the build and starts it in the background; the record comes back `queued`. */
  async create(input: CreateBuildInput): Promise<BuildRecord> {
    const valid = validBuildInput(input);
    this.builder();
    await checkedSource(valid.source, this.sources);
    const building = [...this.records.values()].some((r) => r.name === valid.name);
    if (building || this.opts.templates.list().some((t) => t.template.name === valid.name)) {
      throw new Conflict(`an app named '${valid.name}' already exists; choose another name or redeploy it`, {
        code: 'NAME_TAKEN',
        details: { field: 'name' },
      });
    }
    const id = this.newId();
    const now = this.clock.now();
    const record: BuildRecord = {
      id,
      name: valid.name,
      source: valid.source,
      status: 'queued',
      databases: valid.databases,
      overrides: valid.overrides,
      detection: null,
      plan: null,
      image: `berth-build/${valid.name}:${id}`,
      imageId: null,
      mappedImages: {},
      step: 0,
      totalSteps: 0,
      template: null,
      instanceId: null,
      logs: [],
      error: null,
      attempt: 1,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await mkdir(this.store.dir(id), { recursive: true });
    await this.store.save(record);
    const queued = structuredClone(record);
    this.start(record);
    return queued;
  }

  async get(id: string): Promise<BuildRecord> {
    const r = this.records.get(id) ?? (await this.store.find(id));
    if (!r) throw new NotFound('build', id);
    return structuredClone(r);
  }

  async list(): Promise<BuildSummary[]> {
    return (await this.store.list()).map((r) => summary(this.records.get(r.id) ?? r));
  }

  /** The build's log lines after `after`, then new ones as they are written, until it finishes. */
  follow(id: string, after: number, signal: AbortSignal): AsyncIterable<BuildEvent> {
    return this.feed.follow(
      id,
      after,
      async () => ({ record: await this.get(id), running: this.running.has(id) }),
      signal,
    );
  }

  /** Resolves when the build has finished, whichever way. */
  async wait(id: string): Promise<BuildRecord> {
    await this.running.get(id)?.done;
    return this.get(id);
  }

  /** Imports the source again, rebuilds the image and restarts the app's instance. */
  async redeploy(id: string): Promise<BuildRecord> {
    const record = await this.get(id);
    this.builder();
    if (this.running.has(id))
      throw new Conflict(`build ${id} is still ${record.status}`, { code: 'BUILD_RUNNING' });
    Object.assign(record, {
      status: 'queued',
      error: null,
      finishedAt: null,
      step: 0,
      totalSteps: 0,
      attempt: record.attempt + 1,
      updatedAt: this.clock.now(),
    });
    appendLog(record, system(`redeploy #${record.attempt - 1} requested`), this.clock.now());
    await this.store.save(record);
    const queued = structuredClone(record);
    this.start(record);
    return queued;
  }

  async cancel(id: string): Promise<BuildRecord> {
    const run = this.running.get(id);
    if (!run) {
      const r = await this.get(id);
      throw new Conflict(`build ${id} is not running (it is ${r.status})`, { code: 'BUILD_NOT_RUNNING' });
    }
    run.abort.abort(new Error('cancelled by request'));
    await run.done;
    return this.get(id);
  }

  /**
   * Deletes a finished build: its folder, record and image. Refused while it runs, and while an
   * app's template still runs its image (remove the app's instances and template first).
   */
  async remove(id: string): Promise<void> {
    const record = await this.get(id);
    if (this.running.has(id))
      throw new Conflict(`build ${id} is still ${record.status}; cancel it first`, { code: 'BUILD_RUNNING' });
    const user = this.opts.templates
      .list()
      .find((t) => t.template.source.kind === 'build' && t.template.source.buildId === id);
    if (user) {
      throw new Conflict(
        `template '${user.template.name}' still runs build ${id}; remove its instances and the template first`,
        { code: 'BUILD_IN_USE', details: { template: user.template.name } },
      );
    }
    await this.opts.builder?.removeImage(record.image);
    await this.store.remove(id);
  }

  /** Cancels every running build and waits for each to settle. */
  async close(): Promise<void> {
    for (const run of this.running.values()) run.abort.abort(new Error('berth is shutting down'));
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private builder(): ImageBuilder {
    if (!this.opts.builder)
      throw new RuntimeUnavailable('building images needs a Docker engine, and berth has none');
    return this.opts.builder;
  }

  private start(record: BuildRecord): void {
    const abort = new AbortController();
    this.records.set(record.id, record);
    const done = this.run(record, abort.signal).finally(async () => {
      clearTimeout(this.flushes.get(record.id));
      this.flushes.delete(record.id);
      await this.store
        .save(record)
        .catch((err) => this.log.warn({ err: userMessage(err) }, 'build record not saved'));
      this.running.delete(record.id);
      this.records.delete(record.id);
      this.feed.end(record);
    });
    this.running.set(record.id, { abort, done });
  }

  private async run(record: BuildRecord, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ build: record.id, app: record.name });
    const ctx: PipelineContext = {
      record,
      dir: this.store.dir(record.id),
      signal,
      log,
      builder: this.builder(),
      timeoutMs: this.opts.buildTimeoutMs ?? 300_000,
      noCache: this.opts.noCache ?? false,
      sources: this.sources,
      phase: (status) => this.phase(record, status),
      progress: (p) => this.progress(record, p),
    };
    try {
      const prepared = await prepare(ctx);
      await buildImage(ctx, prepared);
      await this.phase(record, 'deploying');
      await deployBuild(record, prepared, ctx.dir, this.opts, signal, (m) =>
        this.progress(record, system(m)),
      );
      this.finish(record, 'done', system(`done: ${record.name} runs ${record.image}`));
    } catch (err) {
      if (signal.aborted) {
        this.finish(record, 'cancelled', system(`cancelled: ${userMessage(signal.reason)}`));
        return;
      }
      if (!isBerthError(err)) log.error({ err }, 'build failed');
      const e = isBerthError(err)
        ? {
            kind: err.kind,
            code: err.code,
            message: err.message,
            ...(err.details ? { details: err.details } : {}),
          }
        : { code: 'INTERNAL', message: userMessage(err) };
      this.fail(record, e);
    }
  }

  private async phase(record: BuildRecord, status: BuildStatus): Promise<void> {
    record.status = status;
    record.updatedAt = this.clock.now();
    this.progress(record, system(`${status}…`));
    await this.store.save(record);
  }

  private progress(record: BuildRecord, p: BuildProgress): void {
    this.feed.publish(record, appendLog(record, p, this.clock.now()));
    record.updatedAt = this.clock.now();
    if (!this.flushes.has(record.id)) {
      const timer = setTimeout(() => {
        this.flushes.delete(record.id);
        this.store.save(record).catch(() => undefined);
      }, 1000);
      timer.unref?.();
      this.flushes.set(record.id, timer);
    }
  }

  /** The final status, then its line, so followers see the line with the status it ends on. */
  private finish(record: BuildRecord, status: BuildStatus, last: BuildProgress): void {
    record.status = status;
    record.finishedAt = this.clock.now();
    record.updatedAt = record.finishedAt;
    this.feed.publish(record, appendLog(record, last, record.finishedAt));
    this.told(record, last.message);
  }

  /** The end of a build on the EventBus, with its instance when it made one. */
  private told(record: BuildRecord, message: string): void {
    const instance = record.instanceId
      ? this.opts.instances.list().find((i) => i.id === record.instanceId)
      : undefined;
    this.opts.events?.emit({
      type: 'build.finished',
      instanceId: instance?.id ?? null,
      instanceName: instance?.name ?? null,
      message: `build of ${record.name} ${ENDED[record.status] ?? record.status}: ${message.replace(/^(done|cancelled): /, '')}`,
      data: {
        build: record.id,
        app: record.name,
        status: record.status,
        attempt: record.attempt,
        image: record.image,
        ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
      },
    });
  }

  private fail(record: BuildRecord, error: BuildRecord['error']): void {
    record.error = error;
    this.finish(record, 'failed', { ...system(error?.message ?? 'failed'), stream: 'stderr' });
  }
}

/**
 * The detection of a tree, named as the project's manifest names it (package.json `name`, …)
 * rather than by its folder; in a monorepo with an app chosen, the root's manifest names the
 * workspace, so the name stays the source's.
 */
function describeTree(
  input: { source: string; name: string },
  tree: RepoTree,
  found: { app?: string | undefined },
): DetectResult {
  const name = found.app === undefined ? (manifestName(tree) ?? input.name) : input.name;
  return describe({ ...input, name }, detect(tree, found));
}

function describe(input: { source: string; name: string }, detection: Detection): DetectResult {
  const { source, name } = input;
  try {
    const { env: _env, ...files } = plan(detection, { name });
    return { source, name, detection, plan: files, planError: null };
  } catch (err) {
    return { source, name, detection, plan: null, planError: userMessage(err) };
  }
}

function system(message: string): BuildProgress {
  return { step: 0, totalSteps: 0, message, stream: 'system' };
}
