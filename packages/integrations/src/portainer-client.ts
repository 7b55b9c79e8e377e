import { hostKey, hostKeyOfUrl } from './host-key.js';
import { httpJson } from './http-json.js';
import type { IntegrationClient, ScannedContainer } from './integration-client.js';
import type { PortainerConfig } from './integration-types.js';
import { containerName, type EnginePort, publishedPorts } from './published-ports.js';

/** The fields berth reads of Portainer's `GET /api/endpoints` items. */
export interface PortainerEndpoint {
  Id: number;
  Name: string;
  /** 1 Docker, 2 Docker agent, 3 Azure ACI, 4 Edge agent (Docker), 5–7 Kubernetes. */
  Type: number;
  URL: string;
  PublicURL?: string;
  /** 1 up, 2 down. */
  Status?: number;
}

/** Docker's container summary, as Portainer proxies `GET /containers/json`. */
export interface PortainerContainer {
  Id: string;
  Names?: string[];
  Image: string;
  State: string;
  Ports?: EnginePort[];
  Labels?: Record<string, string>;
}

const DOCKER_TYPES = new Set([1, 2, 4]);

/**
 * Portainer's REST API with an access token (`X-API-Key`): the environments it manages, then each
 * Docker environment's containers through its Docker proxy. An environment's host is its public
 * URL when set (where its published ports are reached), else the host of its URL; a local socket
 * environment lives where Portainer itself does; an Edge environment without a URL is its name.
 */
export class PortainerClient implements IntegrationClient {
  private readonly base: URL;

  constructor(
    private readonly config: PortainerConfig,
    private readonly apiKey: string,
    private readonly localNames?: ReadonlySet<string>,
  ) {
    this.base = new URL(config.url.endsWith('/') ? config.url : `${config.url}/`);
  }

  async version(signal: AbortSignal): Promise<string | undefined> {
    await this.get('api/endpoints', signal); // proves the key: /api/status answers anyone
    const status = (await this.get('api/status', signal)) as { Version?: unknown };
    return typeof status.Version === 'string' ? status.Version : undefined;
  }

  async scan(signal: AbortSignal): Promise<ScannedContainer[]> {
    const endpoints = ((await this.get('api/endpoints', signal)) as PortainerEndpoint[]).filter(
      (e) => DOCKER_TYPES.has(e.Type) && this.wanted(e.Id),
    );
    const perEndpoint = await Promise.all(endpoints.map((e) => this.containersOf(e, signal)));
    return perEndpoint.flat();
  }

  private wanted(id: number): boolean {
    return this.config.environments === 'all' || this.config.environments.includes(id);
  }

  private async containersOf(e: PortainerEndpoint, signal: AbortSignal): Promise<ScannedContainer[]> {
    const list = (await this.get(
      `api/endpoints/${e.Id}/docker/containers/json?all=1`,
      signal,
    )) as PortainerContainer[];
    const host = this.hostOf(e);
    return list
      .filter((c) => c.Labels?.['berth.managed'] !== 'true')
      .map((c) => ({
        host,
        name: containerName(c.Names, c.Id),
        id: c.Id,
        image: c.Image,
        state: c.State,
        ports: publishedPorts(c.Ports),
      }));
  }

  private hostOf(e: PortainerEndpoint): string {
    if (e.PublicURL)
      return hostKeyOfUrl(e.PublicURL, this.localNames) ?? hostKey(e.PublicURL, this.localNames);
    if (/^(unix|npipe):/.test(e.URL)) return hostKey(this.base.hostname, this.localNames);
    return hostKeyOfUrl(e.URL, this.localNames) ?? hostKey(e.Name, this.localNames);
  }

  private get(path: string, signal: AbortSignal): Promise<unknown> {
    return httpJson({
      method: 'GET',
      url: new URL(path, this.base),
      headers: { 'X-API-Key': this.apiKey },
      verifyTls: this.config.verifySsl,
      signal,
    });
  }
}
