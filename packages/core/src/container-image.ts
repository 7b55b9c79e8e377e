import type { DeploySpec, ResolvedPort } from './runtime.js';

type ImageVolume = Extract<DeploySpec['source'], { kind: 'image' }>['volumes'][number];

/**
 * What a container runtime (docker, swarm, kubernetes) runs for a spec: the image, how it starts
 * and what it mounts — the same answer for each, so a template means one thing on every node.
 */
export interface ContainerImage {
  image: string;
  /** Replaces the image's entrypoint: an image template's `entrypoint`, a command template's program. */
  entrypoint?: string[] | undefined;
  /** Berth's substituted command, else the template's own `command`; absent: the image's. */
  args?: string[] | undefined;
  user?: string | undefined;
  workdir?: string | undefined;
  init: boolean;
  volumes: ImageVolume[];
}

/**
 * The image a spec runs in: an image or build template's, or the `image` a command template names
 * (its command becomes the entrypoint, so the image's own entrypoint does not wrap it). Undefined
 * when the spec names none (a command template without `image:`, a compose template).
 */
export function containerImageOf(spec: DeploySpec): ContainerImage | undefined {
  const src = spec.source;
  const command = spec.command.length > 0 ? spec.command : undefined;
  if (src.kind === 'image') {
    const { image, entrypoint, user, workdir, init, volumes } = src;
    return { image, entrypoint, args: command ?? src.command, user, workdir, init, volumes };
  }
  if (src.kind === 'build') return { image: src.image, args: command, init: true, volumes: [] };
  if (src.kind !== 'command' || !src.image) return undefined;
  const [program, ...args] = spec.command;
  return {
    image: src.image,
    ...(program === undefined ? {} : { entrypoint: [program], args }),
    // A relative cwd names a folder of the data directory on a host; inside an image only an absolute one means anything.
    workdir: src.cwd?.startsWith('/') ? src.cwd : undefined,
    init: true,
    volumes: [],
  };
}

/**
 * The port inside the container: the template's `containerPort`, else the port berth passes in
 * (`$PORT`): a command template listens where berth tells it, so its container port and its
 * published port are one number.
 */
export function containerPortOf(p: Pick<ResolvedPort, 'containerPort' | 'hostPort'>): number {
  return p.containerPort ?? p.hostPort;
}
