import { InvalidInput, type NodeDriver, type NodeRecord, nodeAddress, type OpenedNode } from '@berth/core';
import { connectDocker, type DockerEndpoint } from '../connect-docker.js';
import type { DockerNodeOptions } from '../docker-node.js';
import { dockerNodeEndpoint, parseDockerNodeConfig } from '../docker-node-config.js';
import { DockerNodeImages } from '../docker-node-images.js';
import { ENGINE_DEADLINE_MS } from '../engine-deadline.js';
import type { PublishMode } from './service-spec.js';
import { SwarmPortSource } from './swarm-port-source.js';
import { SwarmRuntime } from './swarm-runtime.js';
import { testSwarm } from './test-swarm.js';

const DOCKER_FIELDS = ['endpoint', 'tls', 'certPath', 'sshKey', 'hostKey', 'publicAddress'];
const SWARM_FIELDS = ['publishMode', 'constraints'];

/** What a swarm node stores: a docker node's endpoint settings (plus unix://) and how it publishes. */
export interface SwarmNodeConfig extends Record<string, unknown> {
  endpoint: string;
  publishMode: PublishMode;
  constraints: string[];
}

/**
 * A Swarm cluster as one node (`kind: swarm`), reached through a manager's endpoint — unix, tcp,
 * tcp with TLS or ssh, parsed as a docker node's. Its instances are services; the whole swarm is
 * one port space (the node's name).
 */
export function swarmNodeDriver(opts: Pick<DockerNodeOptions, 'log' | 'ssh'>): NodeDriver {
  return {
    kind: 'swarm',
    parseConfig: parseSwarmNodeConfig,
    async open(record, hooks) {
      const config = parseSwarmNodeConfig(record.config);
      const remote = !config.endpoint.startsWith('unix://');
      const endpoint = await swarmEndpoint(config);
      const docker = connectDocker(endpoint, {
        node: record.name,
        onFirstHostKey: (hostKey) => hooks.updateConfig({ hostKey }),
      });
      const readDeadlineMs = remote ? ENGINE_DEADLINE_MS.remote : ENGINE_DEADLINE_MS.local;
      const runtime = new SwarmRuntime({
        docker,
        node: record.name,
        log: opts.log,
        publishMode: config.publishMode,
        constraints: config.constraints,
        readDeadlineMs,
      });
      // The manager's engine is the one berth reaches: its images, not the workers'.
      const images = new DockerNodeImages(docker, record.name, {
        deadlineMs: readDeadlineMs,
        note: "on the swarm's manager; its workers pull the image as they deploy",
      });
      return opened(
        record,
        runtime,
        new SwarmPortSource(docker, record.host, opts.log, readDeadlineMs),
        docker,
        images,
      );
    },
  };

  function swarmEndpoint(config: SwarmNodeConfig): Promise<DockerEndpoint> | DockerEndpoint {
    if (config.endpoint.startsWith('unix://'))
      return { kind: 'socket', path: config.endpoint.slice('unix://'.length) };
    return dockerNodeEndpoint(parseDockerNodeConfig(dockerPart(config)), opts.ssh);
  }
}

function opened(
  record: NodeRecord,
  runtime: SwarmRuntime,
  portSource: SwarmPortSource,
  docker: ReturnType<typeof connectDocker>,
  images: DockerNodeImages,
): OpenedNode {
  return {
    // A command template runs as a service of the image it names (create refuses one without).
    runtimes: [{ runtime, sources: ['image', 'build', 'command'] }],
    portSource,
    images,
    address: nodeAddress(record).address,
    test: (timeoutMs) => testSwarm(docker, timeoutMs),
    close: () => (docker.modem as { agent?: { destroy?(): void } }).agent?.destroy?.(),
    unsupported: (source) =>
      `node ${record.name} is a Swarm cluster; it runs image, build and command (with \`image:\`) templates as services, not ${source} templates — run a ${source} template on a Docker node or node local`,
  };
}

function dockerPart(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => DOCKER_FIELDS.includes(k)));
}

function invalid(field: string, message: string): never {
  throw new InvalidInput(`${field} ${message}`, { details: { field } });
}

/** Checks a swarm node's config; refuses unknown fields by name (a typo must not pass silently). */
export function parseSwarmNodeConfig(input: unknown): SwarmNodeConfig {
  if (typeof input !== 'object' || input === null) invalid('config', 'must be an object');
  const o = input as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !DOCKER_FIELDS.includes(k) && !SWARM_FIELDS.includes(k));
  if (unknown)
    invalid(
      `config.${unknown}`,
      `is not a swarm node setting (${[...DOCKER_FIELDS, ...SWARM_FIELDS].join(', ')})`,
    );
  const publishMode = o.publishMode ?? 'host';
  if (publishMode !== 'host' && publishMode !== 'ingress')
    invalid('publishMode', "must be 'host' or 'ingress'");
  const constraints = o.constraints ?? [];
  if (
    !Array.isArray(constraints) ||
    constraints.some((c) => typeof c !== 'string' || !/^[\w.-]+\s*(==|!=)\s*\S+$/.test(c))
  ) {
    invalid('constraints', "must be a list of placement constraints like 'node.labels.pool==web'");
  }
  const endpoint = typeof o.endpoint === 'string' ? o.endpoint : '';
  if (endpoint.startsWith('unix://')) {
    if (endpoint.length <= 'unix://'.length) invalid('endpoint', 'names no socket path');
    const rest = dockerPart(o);
    for (const f of ['tls', 'certPath', 'sshKey', 'hostKey'])
      if (rest[f] !== undefined) invalid(f, 'applies to tcp:// or ssh:// endpoints only');
    return { ...rest, endpoint, publishMode, constraints: constraints as string[] };
  }
  const docker = parseDockerNodeConfig(dockerPart(o));
  return { ...docker, publishMode, constraints: constraints as string[] };
}
