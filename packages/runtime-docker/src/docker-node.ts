import { LOCAL_NODE, type Logger, type NodeRecord } from '@berth/core';
import type Dockerode from 'dockerode';
import type { ComposeCliSearch } from './compose-cli.js';
import { ComposeRuntime } from './compose-runtime.js';
import {
  type ConnectOptions,
  connectDocker,
  type DockerEndpoint,
  describeEndpoint,
} from './connect-docker.js';
import { dockerHostOf, dockerNodeEndpoint, parseDockerNodeConfig } from './docker-node-config.js';
import { DockerNodeImages } from './docker-node-images.js';
import { DockerPortSource } from './docker-port-source.js';
import { DockerRuntime } from './docker-runtime.js';
import type { DockerSettings, SshSettings } from './docker-settings.js';
import { ENGINE_DEADLINE_MS } from './engine-deadline.js';
import { findDockerEndpoint } from './find-docker-endpoint.js';
import type { BaseImageMap } from './image-resolver.js';
import { SshDialAgent } from './ssh-dial-agent.js';
import { testDocker } from './test-docker.js';

/** One Docker engine as a berth node: its client, runtimes and the port source of its host. */
export interface DockerNode {
  node: string;
  /** The port space its containers publish into. */
  host: string;
  endpoint: DockerEndpoint;
  docker: Dockerode;
  runtime: DockerRuntime;
  /**
   * Absent when the compose CLI cannot reach this engine (TLS without a cert folder, ssh with a key
   * file), or once the search for it ended with none (read at each use).
   */
  readonly compose: ComposeRuntime | undefined;
  ports: DockerPortSource;
  /** The images on its engine (image templates' versions). */
  images: DockerNodeImages;
}

export interface DockerNodeOptions {
  log: Logger;
  baseImages?: BaseImageMap;
  /** The search for this machine's compose CLI (none: compose templates cannot run). */
  composeCli?: ComposeCliSearch | undefined;
  /** The environment the compose CLI runs in (DockerSettings.childEnv); needed with composeCli. */
  childEnv?: NodeJS.ProcessEnv;
  /** How ssh nodes log in and check host keys. */
  ssh?: SshSettings;
}

function assemble(
  node: string,
  host: string,
  endpoint: DockerEndpoint,
  opts: DockerNodeOptions & {
    dataVolumes: 'bind' | 'named';
    /** A remote engine's silence means it is gone; the local one's means it is busy. */
    readDeadlineMs: number;
    certPath?: string | undefined;
    probeContainerIp?: boolean;
    connect?: ConnectOptions;
  },
): DockerNode {
  const docker = connectDocker(endpoint, opts.connect);
  const baseImages = opts.baseImages ?? {};
  const { readDeadlineMs } = opts;
  const runtime = new DockerRuntime({
    docker,
    node,
    log: opts.log,
    baseImages,
    dataVolumes: opts.dataVolumes,
    readDeadlineMs,
    probeContainerIp: opts.probeContainerIp ?? false,
  });
  // The compose CLI reaches the engine by DOCKER_HOST alone: a TLS node needs its cert folder, and
  // an ssh node's key file is berth's, not one the CLI's `ssh` would use.
  const canCompose =
    opts.composeCli &&
    (endpoint.kind === 'socket' ||
      (endpoint.kind === 'tcp' && (!endpoint.tls || opts.certPath)) ||
      (endpoint.kind === 'ssh' && !endpoint.privateKey));
  const search = opts.composeCli;
  const compose =
    search && opts.childEnv && canCompose
      ? new ComposeRuntime({
          docker,
          cli: search.get.bind(search),
          dockerHost: dockerHostOf(endpoint),
          node,
          log: opts.log,
          baseImages,
          readDeadlineMs,
          childEnv: opts.childEnv,
          ...(opts.certPath ? { certPath: opts.certPath } : {}),
        })
      : undefined;
  return {
    node,
    host,
    endpoint,
    docker,
    runtime,
    get compose() {
      return search?.mayExist() ? compose : undefined;
    },
    ports: new DockerPortSource(docker, host, opts.log, { readDeadlineMs }),
    images: new DockerNodeImages(docker, node, { deadlineMs: readDeadlineMs }),
  };
}

/** Closes what a node holds open: the ssh connections of an ssh node (tcp ones hold nothing). */
export function closeDockerNode(node: DockerNode): void {
  sshAgentOf(node)?.destroy();
}

/**
 * The local engine, found by the ordered strategies (each says in the log why it did not apply)
 * and asked for its version; undefined, with the reason logged, when there is none that answers.
 */
export async function openLocalDocker(
  opts: DockerNodeOptions & Pick<DockerSettings, 'endpoint' | 'certPath'>,
): Promise<DockerNode | undefined> {
  const log = opts.log.child({ ns: 'runtime:docker', node: LOCAL_NODE });
  const found = await findDockerEndpoint(log, undefined, opts.endpoint);
  if (!found) {
    log.info({}, 'No local Docker engine: image, build and compose templates cannot run on node local');
    return undefined;
  }
  const where = describeEndpoint(found.endpoint);
  const test = await testDocker(connectDocker(found.endpoint), { timeoutMs: 3_000 });
  if (!test.ok) {
    log.warn(
      { endpoint: where, reason: test.reason },
      `The local Docker engine at ${where} does not answer (${test.reason}: ${test.message}); not using it`,
    );
    return undefined;
  }
  log.info(
    {
      endpoint: where,
      strategy: found.strategy,
      version: test.version,
    },
    `Using the local Docker engine ${test.version} at ${where}`,
  );
  const probeContainerIp =
    found.endpoint.kind === 'socket' && (await containerIpsReachable(found.endpoint, log));
  return assemble(LOCAL_NODE, LOCAL_NODE, found.endpoint, {
    ...opts,
    dataVolumes: 'bind',
    readDeadlineMs: ENGINE_DEADLINE_MS.local,
    certPath: opts.certPath,
    probeContainerIp,
  });
}

/**
 * Whether this machine reaches the containers of a local engine at their bridge IPs: a rootful
 * engine on this kernel, yes; a rootless one (its bridge lives in another network namespace) or
 * Docker Desktop (a VM), no. The first probe of a container IP checks it once more (DirectProbe).
 */
async function containerIpsReachable(endpoint: DockerEndpoint, log: Logger): Promise<boolean> {
  try {
    const info = (await connectDocker(endpoint).info()) as {
      SecurityOptions?: string[];
      OperatingSystem?: string;
    };
    const rootless = (info.SecurityOptions ?? []).some((o) => o.includes('name=rootless'));
    const desktop = /docker desktop/i.test(info.OperatingSystem ?? '');
    if (rootless || desktop) {
      log.info(
        { rootless, desktop },
        'Readiness probes use published ports: container IPs are not reachable from here',
      );
    }
    return !rootless && !desktop;
  } catch (err) {
    log.debug(
      { err: (err as Error).message },
      'Engine info unavailable; readiness probes use published ports',
    );
    return false;
  }
}

/**
 * A remote `docker` node from its record; connecting is lazy, so an unreachable node still opens.
 * `onFirstHostKey` hears of an ssh host key trusted on first use (to record it on the node).
 */
export async function openRemoteDockerNode(
  record: NodeRecord,
  opts: DockerNodeOptions,
  onFirstHostKey?: (fingerprint: string) => void,
): Promise<DockerNode> {
  const config = parseDockerNodeConfig(record.config);
  const endpoint = await dockerNodeEndpoint(config, opts.ssh);
  return assemble(record.name, record.host, endpoint, {
    ...opts,
    dataVolumes: 'named',
    readDeadlineMs: ENGINE_DEADLINE_MS.remote,
    certPath: config.certPath,
    connect: { node: record.name, ...(onFirstHostKey ? { onFirstHostKey } : {}) },
  });
}

/** The ssh connection pool of an ssh node (undefined for others). */
export function sshAgentOf(node: DockerNode): SshDialAgent | undefined {
  const agent = (node.docker.modem as { agent?: unknown }).agent;
  return agent instanceof SshDialAgent ? agent : undefined;
}
