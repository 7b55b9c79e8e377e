import { connectDocker, type DockerEndpoint, LABEL } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';
import { hostKey, LOCAL_HOST } from './host-key.js';
import type { IntegrationClient, ScannedContainer } from './integration-client.js';
import type { DockerConfig } from './integration-types.js';
import { containerName, publishedPorts } from './published-ports.js';

/** `unix:///path`, `/path` or `tcp://host:port` (plain tcp; 2375 when no port is given). */
export function dockerEndpointOf(host: string): DockerEndpoint {
  if (host.startsWith('/')) return { kind: 'socket', path: host };
  if (host.startsWith('unix://')) return { kind: 'socket', path: host.slice('unix://'.length) };
  const url = new URL(host);
  return {
    kind: 'tcp',
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 2375,
  };
}

/** The berth host a Docker endpoint's published ports land on. */
export function dockerHostKey(endpoint: DockerEndpoint, localNames?: ReadonlySet<string>): string {
  return endpoint.kind === 'socket' ? LOCAL_HOST : hostKey(endpoint.host, localNames);
}

/**
 * A Docker Engine read through dockerode: every container (running or not) with its published
 * ports. Containers berth itself manages are left out — its leases already hold their ports.
 */
export class DockerIntegrationClient implements IntegrationClient {
  private readonly docker: Dockerode;
  private readonly host: string;

  constructor(config: DockerConfig, localNames?: ReadonlySet<string>) {
    const endpoint = dockerEndpointOf(config.host);
    this.docker = connectDocker(endpoint, { timeoutMs: config.timeout * 1000 });
    this.host = dockerHostKey(endpoint, localNames);
  }

  async version(signal: AbortSignal): Promise<string | undefined> {
    const version = this.docker.version as unknown as (o: {
      abortSignal: AbortSignal;
    }) => Promise<Dockerode.DockerVersion>;
    const v = await version.call(this.docker, { abortSignal: signal });
    if (typeof v?.Version !== 'string')
      throw new Error('the endpoint answered, but not like a Docker engine');
    return v.Version;
  }

  async scan(signal: AbortSignal): Promise<ScannedContainer[]> {
    const list = await this.docker.listContainers({ all: true, abortSignal: signal });
    return list.filter((c) => c.Labels?.[LABEL.managed] !== 'true').map((c) => this.toScanned(c));
  }

  private toScanned(c: Dockerode.ContainerInfo): ScannedContainer {
    return {
      host: this.host,
      name: containerName(c.Names, c.Id),
      id: c.Id,
      image: c.Image,
      state: c.State,
      ports: publishedPorts(c.Ports),
    };
  }
}
