import { readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InvalidInput, type Logger } from '@berth/core';
import { detect } from '../detect.js';
import { DB_KINDS, type DbKind, type Detection } from '../detection.js';
import type { BuildProgress } from '../image/build-progress.js';
import type { BuiltImage, ImageBuilder } from '../image/image-builder.js';
import { importSource } from '../import-source.js';
import { checkedSource, type SourcePolicy } from '../local-source.js';
import { buildContextOf } from '../plan/app-folder.js';
import { type BuildPlan, plan } from '../plan.js';
import { readRepoTree } from '../read-repo-tree.js';
import { applyOverrides } from './apply-overrides.js';
import type { BuildRecord, BuildStatus } from './build-record.js';

/** What one run of the pipeline needs from the service that runs it. */
export interface PipelineContext {
  record: BuildRecord;
  /** `BERTH_HOME/builds/<id>`. */
  dir: string;
  signal: AbortSignal;
  log: Logger;
  builder: ImageBuilder;
  timeoutMs: number;
  noCache: boolean;
  /** Where local sources may come from, and the caps on an import: checked again at every import. */
  sources: SourcePolicy;
  phase(status: BuildStatus): Promise<void>;
  progress(p: BuildProgress): void;
}

export interface Prepared {
  detection: Detection;
  plan: BuildPlan;
  srcDir: string;
  /**
   * What the image is built from: the repository, or, for an app of another stack in a monorepo
   * (a Python service in apps/api), that app's folder inside it.
   */
  contextDir: string;
  /** The databases that run beside the app (asked for, else detected). */
  databases: DbKind[];
}

/** The repository's folder inside a build folder. */
export function sourceDir(dir: string): string {
  return join(dir, 'src');
}

/** Import → detect (with the person's overrides) → plan, writing the plan's files beside the source. */
export async function prepare(ctx: PipelineContext): Promise<Prepared> {
  const { record: rec, dir, signal } = ctx;
  const srcDir = sourceDir(dir);
  await ctx.phase('importing');
  await rm(srcDir, { recursive: true, force: true });
  const source = await checkedSource(rec.source, ctx.sources);
  const { commit } = await importSource(source, srcDir, { signal, logger: ctx.log, limits: ctx.sources });
  rec.commit = commit;
  say(ctx, `imported ${rec.source}${commit ? ` at ${commit.slice(0, 12)}` : ''}`);
  await ctx.phase('detecting');
  const detection = applyOverrides(
    detect(await readRepoTree(srcDir), { app: rec.overrides.app }),
    rec.overrides,
  );
  rec.detection = detection;
  say(
    ctx,
    `detected ${[detection.stack, detection.framework].filter(Boolean).join(' / ') || 'nothing deployable'}`,
  );
  const databases = DB_KINDS.filter((k) => (rec.databases ?? detection.databases).includes(k));
  const planned = plan(detection, { name: rec.name, databases });
  await writePlanFiles(ctx, planned);
  signal.throwIfAborted();
  const contextDir = await contextIn(srcDir, buildContextOf(detection));
  if (contextDir !== srcDir) say(ctx, `building from ${buildContextOf(detection)}, the app's folder`);
  return { detection, plan: planned, srcDir, contextDir, databases };
}

/** The app's folder inside the repository, as a real folder: never one a symbolic link takes elsewhere. */
async function contextIn(srcDir: string, context: string): Promise<string> {
  if (context === '.') return srcDir;
  const [root, dir] = await Promise.all([realpath(srcDir), realpath(join(srcDir, context))]);
  if (!dir.startsWith(`${root}${sep}`))
    throw new InvalidInput(`the app's folder ${context} is not inside the repository`, {
      code: 'INVALID_SOURCE_PATH',
    });
  return join(srcDir, context);
}

/** The Dockerfile (generated, or the repository's), the effective .dockerignore and the compose file. */
async function writePlanFiles(ctx: PipelineContext, p: BuildPlan): Promise<void> {
  const { dir, record } = ctx;
  if (p.dockerfile !== null) await writeFile(join(dir, 'Dockerfile'), p.dockerfile);
  await writeFile(join(dir, '.dockerignore'), p.dockerignore);
  await writeFile(join(dir, 'compose.yml'), p.compose, { mode: 0o600 });
  record.plan = {
    dockerfile: p.dockerfile,
    dockerfilePath: p.dockerfilePath,
    dockerignore: p.dockerignore,
    compose: p.compose,
  };
  const written = [p.dockerfile !== null && 'Dockerfile', '.dockerignore', 'compose.yml'].filter(Boolean);
  say(ctx, `wrote ${written.join(', ')} to ${dir} (the repository copy is left as it was)`);
}

/** Builds the image from the prepared source; the Dockerfile sent to the engine is kept as `Dockerfile.built`. */
export async function buildImage(ctx: PipelineContext, prepared: Prepared): Promise<BuiltImage> {
  const { record: rec, dir } = ctx;
  await ctx.phase('building');
  const p = prepared.plan;
  const dockerfile = p.dockerfile ?? (await readFile(join(prepared.contextDir, p.dockerfilePath), 'utf8'));
  const own = await readFile(join(prepared.contextDir, '.dockerignore'), 'utf8').catch(() => undefined);
  const built = await ctx.builder.build({
    contextDir: prepared.contextDir,
    dockerfile,
    dockerignore: own ?? p.dockerignore,
    tag: rec.image,
    labels: { 'berth.build': rec.id, 'berth.app': rec.name },
    timeoutMs: ctx.timeoutMs,
    noCache: ctx.noCache,
    signal: ctx.signal,
    onProgress: ctx.progress,
  });
  await writeFile(join(dir, 'Dockerfile.built'), built.dockerfile);
  rec.imageId = built.imageId;
  rec.mappedImages = built.mapped;
  return built;
}

function say(ctx: PipelineContext, message: string): void {
  ctx.progress({ step: ctx.record.step, totalSteps: ctx.record.totalSteps, message, stream: 'system' });
}
