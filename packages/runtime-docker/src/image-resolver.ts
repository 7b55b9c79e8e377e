import { type Logger, Unprocessable } from '@berth/core';
import type Dockerode from 'dockerode';
import { engineMessage, isNotFound } from './docker-errors.js';
import { loggedCall } from './logged-call.js';

/** Base-image mapping: an image reference → a local image to use when the original is missing. */
export type BaseImageMap = Record<string, string>;

/** `nginx` → `nginx:latest`; references with a tag or digest are kept. */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

/** The mapped local image for `ref`, trying it as written and with `:latest`. */
export function mappedImage(ref: string, map: BaseImageMap): string | undefined {
  return map[ref] ?? map[withDefaultTag(ref)];
}

/**
 * Makes sure an image for `ref` is on the engine and returns the reference to create from: the
 * image itself when present, else its base-image mapping when that is present, else a pull.
 */
export class ImageResolver {
  constructor(
    private readonly docker: Dockerode,
    private readonly map: BaseImageMap,
    private readonly log: Logger,
    private readonly pull = true,
  ) {}

  async resolve(ref: string, signal?: AbortSignal): Promise<string> {
    if (await this.exists(ref)) return ref;
    const mapped = mappedImage(ref, this.map);
    if (mapped && (await this.exists(mapped))) {
      this.log.debug(
        { image: ref, mapped },
        `image ${ref} is missing; using its base-image mapping ${mapped}`,
      );
      return mapped;
    }
    const hint = mapped ? ` (its base-image mapping ${mapped} is not there either)` : '';
    if (!this.pull) throw new Unprocessable(`image ${ref} is not on this Docker host${hint}`, noImage(ref));
    try {
      await loggedCall(this.log, `pull of image ${ref}`, () => this.pullImage(ref, signal), { image: ref });
      return ref;
    } catch (err) {
      signal?.throwIfAborted();
      throw new Unprocessable(
        `image ${ref} is not on this Docker host and could not be pulled: ${engineMessage(err)}${hint}`,
        { ...noImage(ref), cause: err },
      );
    }
  }

  private async exists(ref: string): Promise<boolean> {
    try {
      await this.docker.getImage(ref).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async pullImage(ref: string, signal?: AbortSignal): Promise<void> {
    const stream = await this.docker.pull(withDefaultTag(ref), signal ? { abortSignal: signal } : {});
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { error?: string; errorDetail?: { message?: string } }) => {
          if (event.error) reject(new Error(event.errorDetail?.message ?? event.error));
        },
      );
    });
  }
}

function noImage(ref: string) {
  return { code: 'IMAGE_UNAVAILABLE' as const, details: { image: ref } };
}
