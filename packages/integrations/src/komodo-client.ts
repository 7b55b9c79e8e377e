import { hostKey, hostKeyOfUrl } from './host-key.js';
import { httpJson } from './http-json.js';
import type { IntegrationClient, ScannedContainer } from './integration-client.js';
import type { KomodoConfig } from './integration-types.js';
import { type EnginePort, publishedPorts } from './published-ports.js';

/** The fields berth reads of Komodo's `ListServers` items (`ResourceListItem<ServerListItemInfo>`). */
export interface KomodoServer {
  id: string;
  name: string;
  info: {
    /** `Ok`, `NotOk` (unreachable) or `Disabled`. */
    state: string;
    address?: string | null;
    external_address?: string | null;
  };
}

/** The fields berth reads of Komodo's `ListDockerContainers` items (`ContainerListItem`). */
export interface KomodoContainer {
  name: string;
  id?: string;
  image?: string;
  state: string;
  ports?: EnginePort[];
}

/**
 * Komodo Core's read API (`POST /read` with `X-Api-Key` and `X-Api-Secret`): its servers, then each
 * reachable server's containers. A server's host is the host of its Periphery address, else of its
 * external address, else its name; servers that are disabled or unreachable are not scanned.
 */
export class KomodoClient implements IntegrationClient {
  private readonly base: URL;

  constructor(
    config: KomodoConfig,
    private readonly credentials: { apiKey: string; apiSecret: string },
    private readonly localNames?: ReadonlySet<string>,
  ) {
    this.base = new URL(config.url.endsWith('/') ? config.url : `${config.url}/`);
  }

  async version(signal: AbortSignal): Promise<string | undefined> {
    const v = (await this.read('GetVersion', {}, signal)) as { version?: unknown };
    return typeof v.version === 'string' ? v.version : undefined;
  }

  async scan(signal: AbortSignal): Promise<ScannedContainer[]> {
    const servers = ((await this.read('ListServers', {}, signal)) as KomodoServer[]).filter(
      (s) => s.info.state === 'Ok',
    );
    const perServer = await Promise.all(servers.map((s) => this.containersOf(s, signal)));
    return perServer.flat();
  }

  private async containersOf(server: KomodoServer, signal: AbortSignal): Promise<ScannedContainer[]> {
    const list = (await this.read(
      'ListDockerContainers',
      { server: server.id },
      signal,
    )) as KomodoContainer[];
    const host = this.hostOf(server);
    return list.map((c) => ({
      host,
      name: c.name,
      id: c.id ?? null,
      image: c.image ?? '',
      state: c.state,
      ports: publishedPorts(c.ports),
    }));
  }

  private hostOf(s: KomodoServer): string {
    for (const address of [s.info.address, s.info.external_address]) {
      const key = address ? hostKeyOfUrl(address, this.localNames) : undefined;
      if (key) return key;
    }
    return hostKey(s.name, this.localNames);
  }

  private read(type: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    return httpJson({
      method: 'POST',
      url: new URL('read', this.base),
      headers: { 'X-Api-Key': this.credentials.apiKey, 'X-Api-Secret': this.credentials.apiSecret },
      body: { type, params },
      signal,
    });
  }
}
