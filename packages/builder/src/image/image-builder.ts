import {
  Conflict,
  type Logger,
  RuntimeUnavailable,
  silentLogger,
  Unprocessable,
  userMessage,
} from '@berth/core';
import { type BaseImageMap, mappedImage } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';
import { buildContext, CONTEXT_DOCKERFILE } from './build-context.js';
import { type BuildProgress, BuildStreamParser } from './build-progress.js';
import { fromImages, rewriteFromImages } from './dockerfile-images.js';

export interface ImageBuilderOptions {
  /** The engine client, made by the composition root (never a module-level singleton). */
  docker: Dockerode;
  /** Base image → local image, used for a FROM image the engine does not have. */
  baseImages?: BaseImageMap;
  log?: Logger;
}

export interface ImageBuildRequest {
  /** The build context: the imported repository. Never written to. */
  contextDir: string;
  /** The Dockerfile's text, as planned or as the repository has it. */
  dockerfile: string;
  /** `.dockerignore` rules, applied before the context is sent. */
  dockerignore: string;
  /** `berth-build/<name>:<id>`. */
  tag: string;
  labels?: Record<string, string>;
  /** Default 300 s. */
  timeoutMs?: number;
  /** Run every step again instead of reusing cached layers. */
  noCache?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuiltImage {
  imageId: string;
  tag: string;
  /** The Dockerfile that was sent: FROM images mapped. */
  dockerfile: string;
  /** FROM images that were replaced by their mapping. */
  mapped: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 300_000;
/** How many output lines a failed build's error carries. */
const ERROR_LINES = 20;

/**
 * Builds an image through the Engine API (the classic builder, which resolves local base images
 * without a registry): FROM images the engine lacks are replaced by their base-image mapping,
 * the context is streamed as a tar, progress is reported per line. A timeout or an abort stops
 * the request and removes whatever image the build got to tag.
 */
export class ImageBuilder {
  private readonly docker: Dockerode;
  private readonly baseImages: BaseImageMap;
  private readonly log: Logger;

  constructor(opts: ImageBuilderOptions) {
    this.docker = opts.docker;
    this.baseImages = opts.baseImages ?? {};
    this.log = (opts.log ?? silentLogger).child({ ns: 'build:image' });
  }

  /** The Dockerfile with each FROM image the engine lacks replaced by its mapping, when that is there. */
  async mapBaseImages(
    dockerfile: string,
  ): Promise<{ dockerfile: string; mapped: Record<string, string>; missing: string[] }> {
    const mapped: Record<string, string> = {};
    const missing: string[] = [];
    for (const image of fromImages(dockerfile)) {
      if (await this.hasImage(image)) continue;
      const to = mappedImage(image, this.baseImages);
      if (to && (await this.hasImage(to))) mapped[image] = to;
      else missing.push(image);
    }
    return { dockerfile: rewriteFromImages(dockerfile, mapped), mapped, missing };
  }

  async build(req: ImageBuildRequest): Promise<BuiltImage> {
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const { dockerfile, mapped, missing } = await this.engine('base image lookup', () =>
      this.mapBaseImages(req.dockerfile),
    );
    for (const [from, to] of Object.entries(mapped)) system(req, `FROM ${from} → ${to} (base-image mapping)`);
    for (const image of missing)
      system(
        req,
        `${image} is not on this engine and has no usable base-image mapping: the engine will pull it`,
      );
    const before = await this.imageIdOf(req.tag);
    const parser = new BuildStreamParser();
    const tail: string[] = [];
    const onLine = (p: BuildProgress) => {
      tail.push(p.message);
      if (tail.length > ERROR_LINES) tail.shift();
      req.onProgress?.(p);
    };
    this.log.info({ tag: req.tag }, `Starting build of ${req.tag}…`);
    try {
      await this.stream(req, dockerfile, signal, parser, onLine);
    } catch (err) {
      await this.discard(req.tag, before, parser.outcome.imageId);
      throw this.failure(err, { req, timeout, timeoutMs, tail });
    }
    const { imageId, error } = parser.outcome;
    if (error || !imageId) {
      this.log.warn({ tag: req.tag, err: error }, `Failed to build ${req.tag}`);
      throw buildFailed(req.tag, error ?? 'the engine reported no image', tail);
    }
    this.log.info({ tag: req.tag, imageId }, `Built ${req.tag}`);
    return { imageId, tag: req.tag, dockerfile, mapped };
  }

  private async stream(
    req: ImageBuildRequest,
    dockerfile: string,
    signal: AbortSignal,
    parser: BuildStreamParser,
    onLine: (p: BuildProgress) => void,
  ): Promise<void> {
    signal.throwIfAborted();
    const context = buildContext(req.contextDir, { dockerfile, dockerignore: req.dockerignore });
    const output = (await this.docker.buildImage(context, {
      t: req.tag,
      dockerfile: CONTEXT_DOCKERFILE,
      rm: true,
      forcerm: true,
      nocache: req.noCache ?? false,
      version: '1',
      ...(req.labels ? { labels: req.labels } : {}),
      abortSignal: signal,
    })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      const stop = () => reject(signal.reason);
      signal.addEventListener('abort', stop, { once: true });
      output.on('data', (chunk: Buffer) => {
        for (const p of parser.push(chunk.toString('utf8'))) onLine(p);
      });
      output.on('error', reject);
      output.on('end', () => {
        signal.removeEventListener('abort', stop);
        for (const p of parser.end()) onLine(p);
        resolve();
      });
    });
  }

  /** An abort, a timeout, an unreachable engine or a refused request, as a domain error. */
  private failure(
    err: unknown,
    ctx: { req: ImageBuildRequest; timeout: AbortSignal; timeoutMs: number; tail: string[] },
  ): Error {
    const { req, timeout, timeoutMs, tail } = ctx;
    if (req.signal?.aborted) {
      this.log.info({ tag: req.tag }, `Cancelled build of ${req.tag}`);
      return new Conflict(`the build of ${req.tag} was cancelled`, { code: 'CANCELLED', cause: err });
    }
    if (timeout.aborted) {
      this.log.warn({ tag: req.tag, timeoutMs }, `Failed to build ${req.tag}: timed out`);
      return new Unprocessable(`the build of ${req.tag} took longer than ${timeoutMs / 1000} s`, {
        code: 'BUILD_TIMEOUT',
        cause: err,
        details: { tag: req.tag, lastLines: tail },
      });
    }
    if (isUnreachable(err)) return unreachable(err);
    this.log.warn({ tag: req.tag, err: userMessage(err) }, `Failed to build ${req.tag}`);
    return buildFailed(req.tag, engineText(err), tail, err);
  }

  /** Removes a built image by its tag; one already gone is fine. */
  async removeImage(tag: string): Promise<void> {
    try {
      await this.docker.getImage(tag).remove({ force: true });
      this.log.info({ tag }, `Removed image ${tag}`);
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw isUnreachable(err) ? unreachable(err) : err;
    }
  }

  /** Removes the image a stopped build tagged, unless it is the one the tag named before. */
  private async discard(tag: string, before: string | undefined, built: string | null): Promise<void> {
    const now = await this.imageIdOf(tag).catch(() => undefined);
    for (const id of new Set([now, built])) {
      if (!id || id === before) continue;
      try {
        await this.docker.getImage(id).remove({ force: true });
        this.log.info({ tag, imageId: id }, 'Removed the image of a stopped build');
      } catch (err) {
        this.log.debug(
          { tag, imageId: id, err: userMessage(err) },
          'No image of the stopped build to remove',
        );
      }
    }
  }

  private async imageIdOf(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw isUnreachable(err) ? unreachable(err) : err;
    }
  }

  private async hasImage(ref: string): Promise<boolean> {
    return (await this.imageIdOf(ref)) !== undefined;
  }

  private async engine<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      this.log.warn({ err: userMessage(err) }, `Failed: ${what}`);
      throw isUnreachable(err) ? unreachable(err) : err;
    }
  }
}

function system(req: ImageBuildRequest, message: string): void {
  req.onProgress?.({ step: 0, totalSteps: 0, message, stream: 'system' });
}

function buildFailed(tag: string, reason: string, tail: string[], cause?: unknown): Unprocessable {
  return new Unprocessable(`the build of ${tag} failed: ${reason}`, {
    code: 'BUILD_FAILED',
    ...(cause === undefined ? {} : { cause }),
    details: { tag, lastLines: tail },
  });
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ENOENT', 'EACCES', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)
  );
}

function unreachable(err: unknown): RuntimeUnavailable {
  return new RuntimeUnavailable(`the Docker engine cannot be reached: ${userMessage(err)}`, { cause: err });
}

/** The engine's own message from an Engine API error (its JSON body), else the error's. */
function engineText(err: unknown): string {
  const json = (err as { json?: { message?: unknown } }).json;
  if (json && typeof json.message === 'string') return json.message;
  return userMessage(err);
}
