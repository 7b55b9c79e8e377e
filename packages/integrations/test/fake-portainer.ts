import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { PortainerContainer } from '../src/index.js';
import { applyMode, type FakeControl, type FakeMode, sendJson } from './fake-mode.js';
import { listenInRange } from './listen-in-range.js';

/** One environment of the fake, as `GET /api/endpoints` lists it, plus its containers. */
export interface FakeEnvironment {
  Id: number;
  Name: string;
  /** 1 Docker, 2 Agent, 4 Edge agent, 5–7 Kubernetes. */
  Type: number;
  URL: string;
  PublicURL?: string;
  containers: PortainerContainer[];
}

export interface FakePortainerOptions {
  apiKey: string;
  version?: string;
  environments?: FakeEnvironment[];
  range?: [number, number];
}

/**
 * A stand-in for a Portainer server (Portainer cannot run here): the few routes berth calls, in
 * Portainer's shapes — `GET /api/status` (public), `GET /api/endpoints` and
 * `GET /api/endpoints/{id}/docker/containers/json` (Docker's own list, proxied), each checking
 * `X-API-Key` and answering 401 `{ message, details }` without it.
 */
export class FakePortainer {
  readonly control: FakeControl = { mode: 'ok', slowMs: 10_000 };
  readonly seenPaths: string[] = [];
  environments: FakeEnvironment[];
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  private constructor(private readonly opts: FakePortainerOptions) {
    this.environments = opts.environments ?? [];
  }

  static async start(opts: FakePortainerOptions): Promise<FakePortainer> {
    const fake = new FakePortainer(opts);
    const [from, to] = opts.range ?? [14550, 14599];
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
    this.seenPaths.push(url.pathname);
    if (req.method === 'GET' && url.pathname === '/api/status') {
      return sendJson(res, 200, { Version: this.opts.version ?? '2.21.4', InstanceID: 'fake-portainer' });
    }
    if (req.headers['x-api-key'] !== this.opts.apiKey) {
      return sendJson(res, 401, {
        message: 'Unauthorized',
        details: 'A valid authorisation token is missing',
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/endpoints')
      return sendJson(res, 200, this.endpointList());
    const m = /^\/api\/endpoints\/(\d+)\/docker\/containers\/json$/.exec(url.pathname);
    if (req.method === 'GET' && m) return this.containers(Number(m[1]), url.searchParams.get('all'), res);
    sendJson(res, 404, { message: 'Not found', details: `no route ${url.pathname}` });
  }

  private endpointList() {
    return this.environments.map(({ containers: _, ...e }) => ({
      ...e,
      GroupId: 1,
      PublicURL: e.PublicURL ?? '',
      Status: 1,
      Snapshots: [],
      TagIds: [],
      TLSConfig: { TLS: false, TLSSkipVerify: false },
    }));
  }

  private containers(id: number, all: string | null, res: ServerResponse): void {
    const env = this.environments.find((e) => e.Id === id);
    if (!env) {
      sendJson(res, 404, {
        message: 'Unable to find an environment with the specified identifier inside the database',
        details: 'Object not found inside the database',
      });
      return;
    }
    const list =
      all === '1' || all === 'true' ? env.containers : env.containers.filter((c) => c.State === 'running');
    sendJson(res, 200, list.map(dockerSummary));
  }
}

/** Docker's `ContainerSummary`, the fields a real engine sends beside the ones berth reads. */
function dockerSummary(c: PortainerContainer) {
  return {
    Command: '/docker-entrypoint.sh',
    Created: 1_700_000_000,
    HostConfig: { NetworkMode: 'bridge' },
    ImageID: 'sha256:0000',
    Labels: {},
    Mounts: [],
    NetworkSettings: { Networks: {} },
    Status: c.State === 'running' ? 'Up 2 hours' : 'Exited (0) 1 hour ago',
    ...c,
    Ports: c.Ports ?? [],
  };
}
