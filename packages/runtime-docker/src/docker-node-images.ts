import { type NodeImages, Unprocessable } from '@berth/core';
import type Dockerode from 'dockerode';
import { engineMessage, isNotFound } from './docker-errors.js';
import { withDefaultTag } from './image-resolver.js';

/**
 * Image templates' versions on the Docker engines berth reaches directly (`engineOf` answers for
 * a node; undefined: not one, such as a swarm or a cluster, where the runtime pulls as it deploys).
 */
export class DockerNodeImages implements NodeImages {
  constructor(private readonly engineOf: (node: string) => Dockerode | undefined) {}

  async has(node: string, image: string): Promise<boolean | undefined> {
    const docker = this.engineOf(node);
    if (!docker) return undefined;
    try {
      await docker.getImage(withDefaultTag(image)).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async pull(node: string, image: string, onLine: (line: string) => void): Promise<void> {
    const docker = this.engine(node);
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

  async remove(node: string, image: string): Promise<void> {
    const docker = this.engine(node);
    try {
      await docker.getImage(withDefaultTag(image)).remove();
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Unprocessable(
        `image ${image} could not be removed from node ${node}: ${engineMessage(err)}`,
        {
          cause: err,
          details: { image, node },
        },
      );
    }
  }

  private engine(node: string): Dockerode {
    const docker = this.engineOf(node);
    if (docker) return docker;
    throw new Unprocessable(`berth does not reach the images of node ${node} (only a Docker engine's)`, {
      code: 'IMAGE_UNAVAILABLE',
      details: { node },
    });
  }
}
