import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { KomodoContainer } from '../src/index.js';
import { applyMode, type FakeControl, type FakeMode, readBody, sendJson } from './fake-mode.js';
import { listenInRange } from './listen-in-range.js';

/** One server of the fake: what `ListServers` says of it, plus its containers. */
export interface FakeKomodoServer {
  id: string;
  name: string;
  state?: 'Ok' | 'NotOk' | 'Disabled';
  address?: string;
  containers: KomodoContainer[];
}

export interface FakeKomodoOptions {
  apiKey: string;
  apiSecret: string;
  version?: string;
  servers?: FakeKomodoServer[];
  range?: [number, number];
}

/**
 * A stand-in for Komodo Core (it cannot run here): `POST /read` with `{ type, params }` (and
 * `POST /read/{type}` with the params as body, as Komodo's own client sends), checking
 * `X-Api-Key` and `X-Api-Secret` (401 `{ error, trace }` otherwise), for `GetVersion`,
 * `ListServers` (`ResourceListItem<ServerListItemInfo>`) and `ListDockerContainers`
 * (`ContainerListItem`).
 */
export class FakeKomodo {
  readonly control: FakeControl = { mode: 'ok', slowMs: 10_000 };
  readonly seenTypes: string[] = [];
  servers: FakeKomodoServer[];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  private constructor(private readonly opts: FakeKomodoOptions) {
    this.servers = opts.servers ?? [];
  }

  static async start(opts: FakeKomodoOptions): Promise<FakeKomodo> {
    const fake = new FakeKomodo(opts);
    const [from, to] = opts.range ?? [14600, 14649];
    fake.port = await listenInRange(fake.server, from, to);
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setMode(mode: FakeMode, slowMs = this.control.slowMs): void {
    this.control.mode = mode;
    this.control.slowMs = slowMs;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await applyMode(this.control, req))) return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/read(?:\/(\w+))?$/.exec(url.pathname);
    if (req.method !== 'POST' || !m) return sendJson(res, 404, { error: 'Not Found', trace: [] });
    if (
      req.headers['x-api-key'] !== this.opts.apiKey ||
      req.headers['x-api-secret'] !== this.opts.apiSecret
    ) {
      return sendJson(res, 401, { error: 'invalid api key or secret', trace: ['authentication failed'] });
    }
    const body = JSON.parse((await readBody(req)) || '{}') as {
      type?: string;
      params?: Record<string, unknown>;
    };
    const type = m[1] ?? body.type ?? '';
    const params = (m[1] ? body : body.params) ?? {};
    this.seenTypes.push(type);
    const [status, answer] = this.answer(type, params);
    sendJson(res, status, answer);
  }

  private answer(type: string, params: Record<string, unknown>): [number, unknown] {
    switch (type) {
      case 'GetVersion':
        return [200, { version: this.opts.version ?? '1.18.4' }];
      case 'ListServers':
        return [200, this.servers.map(serverListItem)];
      case 'ListDockerContainers': {
        const s = this.servers.find((x) => x.id === params.server || x.name === params.server);
        if (!s) return [500, { error: 'Failed to get Server', trace: ['no server matching'] }];
        return [200, s.containers.map((c) => ({ server_id: s.id, networks: [], volumes: [], ...c }))];
      }
      default:
        return [400, { error: `unknown request type ${type}`, trace: [] }];
    }
  }
}

function serverListItem(s: FakeKomodoServer) {
  return {
    id: s.id,
    type: 'Server',
    name: s.name,
    template: false,
    tags: [],
    info: {
      state: s.state ?? 'Ok',
      region: '',
      address: s.address ?? null,
      external_address: null,
      public_ip: null,
      version: 'v1.18.4',
      send_unreachable_alerts: true,
      send_cpu_alerts: true,
      send_mem_alerts: true,
      send_disk_alerts: true,
      send_version_mismatch_alerts: true,
      terminals_disabled: false,
      container_terminals_disabled: false,
    },
  };
}
