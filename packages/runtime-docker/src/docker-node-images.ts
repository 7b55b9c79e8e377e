import { type NodeImages, RuntimeUnavailable, Unprocessable } from '@berth/core';
import type Dockerode from 'dockerode';
import { engineMessage, isNotFound } from './docker-errors.js';
import { ENGINE_DEADLINE_MS } from './engine-deadline.js';
import { withDefaultTag } from './image-resolver.js';

export interface DockerNodeImagesOptions {
  /** How long a look at an image may take before the node counts as unreachable. */
  deadlineMs?: number;
  /** What presence on this engine means for the node (a swarm manager's: workers pull as they deploy). */
  note?: string;
}

/**
 * The images on one node's Docker engine, for image templates' versions: node local's engine, a
 * remote `docker` node's, or a swarm's manager's.
 */
export class DockerNodeImages implements NodeImages {
  readonly note?: string;
  private readonly deadlineMs: number;

  constructor(
    private readonly docker: Dockerode,
    private readonly node: string,
    opts: DockerNodeImagesOptions = {},
  ) {
    this.deadlineMs = opts.deadlineMs ?? ENGINE_DEADLINE_MS.local;
    if (opts.note !== undefined) this.note = opts.note;
  }

  async has(image: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    // Image inspect takes no abort signal: a silent engine is raced, its request left to end.
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RuntimeUnavailable(
              `the Docker engine of node ${this.node} did not answer within ${this.deadlineMs} ms`,
              { details: { node: this.node } },
            ),
          ),
        this.deadlineMs,
      );
    });
    try {
      await Promise.race([this.docker.getImage(withDefaultTag(image)).inspect(), silence]);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (err instanceof RuntimeUnavailable) throw err;
      throw new RuntimeUnavailable(engineMessage(err), { cause: err, details: { node: this.node } });
    } finally {
      clearTimeout(timer);
    }
  }

  async pull(image: string, onLine: (line: string) => void): Promise<void> {
    const { docker, node } = this;
    const ref = withDefaultTag(image);
    try {
      const stream = await docker.pull(ref);
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (event: { status?: string; id?: string; error?: string; errorDetail?: { message?: string } }) => {
            if (event.error) reject(new Error(event.errorDetail?.message ?? event.error));
            else if (
              event.status &&
              !event.status.startsWith('Downloading') &&
              !event.status.startsWith('Extracting')
            )
              onLine(event.id ? `${event.id}: ${event.status}` : event.status);
          },
        );
      });
    } catch (err) {
      throw new Unprocessable(`image ${ref} could not be pulled on node ${node}: ${engineMessage(err)}`, {
        code: 'IMAGE_UNAVAILABLE',
        cause: err,
        details: { image: ref, node },
      });
    }
  }

  async remove(image: string): Promise<void> {
    try {
      await this.docker.getImage(withDefaultTag(image)).remove();
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Unprocessable(
        `image ${image} could not be removed from node ${this.node}: ${engineMessage(err)}`,
        { cause: err, details: { image, node: this.node } },
      );
    }
  }
}
