import type Dockerode from 'dockerode';
import { isNotFound } from '../docker-errors.js';
import type { EngineReads } from '../engine-deadline.js';
import type { SwarmNodeInfo, SwarmService, SwarmTask } from './swarm-tasks.js';

interface EngineNode {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { Addr?: string; State?: string };
  ManagerStatus?: { Addr?: string };
}

/** How long the node list is reused: nodes join and leave rarely, tasks are read every time. */
const NODES_TTL_MS = 2_000;

/**
 * The reads of one swarm through its manager, each within the engine deadline, and the engines
 * berth can reach directly (the manager's own, and those the node names) for a task's container.
 */
export class SwarmCluster {
  private nodesCache: { at: number; nodes: Promise<Map<string, SwarmNodeInfo>> } | undefined;
  private selfId: Promise<string> | undefined;

  constructor(
    readonly docker: Dockerode,
    private readonly reads: EngineReads,
    /** Engines of other swarm nodes, by node id or address. */
    private readonly nodeEngines: Record<string, Dockerode> = {},
  ) {}

  async service(idOrName: string): Promise<SwarmService | undefined> {
    try {
      return (await this.reads.read('inspection of a service', (abortSignal) =>
        this.docker.getService(idOrName).inspect({ abortSignal }),
      )) as SwarmService;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async services(labels: string[]): Promise<SwarmService[]> {
    return (await this.reads.read('listing of berth services', (abortSignal) =>
      this.docker.listServices({ filters: { label: labels }, abortSignal }),
    )) as unknown as SwarmService[];
  }

  async tasks(serviceIds: string[]): Promise<SwarmTask[]> {
    if (serviceIds.length === 0) return [];
    return (await this.reads.read('listing of tasks', (abortSignal) =>
      this.docker.listTasks({ filters: { service: serviceIds }, abortSignal }),
    )) as SwarmTask[];
  }

  /**
   * Node id → its name (hostname, with the id when hostnames repeat) and address. `fresh`: not the
   * cached list (a task is being replaced: whether its node just went down matters now).
   */
  nodes(fresh = false): Promise<Map<string, SwarmNodeInfo>> {
    const c = this.nodesCache;
    if (c && !fresh && Date.now() - c.at < NODES_TTL_MS) return c.nodes;
    const nodes = this.fetchNodes();
    this.nodesCache = { at: Date.now(), nodes };
    nodes.catch(() => {
      this.nodesCache = undefined;
    });
    return nodes;
  }

  private async fetchNodes(): Promise<Map<string, SwarmNodeInfo>> {
    const list = (await this.reads.read('listing of swarm nodes', (abortSignal) =>
      this.docker.listNodes({ abortSignal }),
    )) as EngineNode[];
    const names = list.map((n) => n.Description?.Hostname ?? n.ID);
    const repeated = (name: string) => names.filter((x) => x === name).length > 1;
    return new Map(
      list.map((n, i) => {
        const host = names[i] ?? n.ID;
        const name = repeated(host) ? `${host}/${n.ID.slice(0, 12)}` : host;
        return [n.ID, { id: n.ID, name, addr: addressOf(n), down: n.Status?.State === 'down' }];
      }),
    );
  }

  /** The engine that runs a task's container, when berth can reach it; undefined elsewhere. */
  async engineOf(nodeId: string | undefined): Promise<Dockerode | undefined> {
    if (!nodeId) return undefined;
    if (nodeId === (await this.ownNodeId())) return this.docker;
    const byId = this.nodeEngines[nodeId];
    if (byId) return byId;
    const addr = (await this.nodes()).get(nodeId)?.addr;
    return addr ? this.nodeEngines[addr] : undefined;
  }

  /** Every engine of the swarm berth reaches: the manager's own and those the node names, once each. */
  async reachableEngines(): Promise<Dockerode[]> {
    return [...new Set([this.docker, ...Object.values(this.nodeEngines)])];
  }

  private ownNodeId(): Promise<string> {
    this.selfId ??= this.docker.info().then(
      (info: { Swarm?: { NodeID?: string } }) => info.Swarm?.NodeID ?? '',
      (err) => {
        this.selfId = undefined;
        throw err;
      },
    );
    return this.selfId;
  }
}

/** A node's address; a manager may report 0.0.0.0 there and its real one in ManagerStatus. */
function addressOf(n: EngineNode): string {
  const addr = n.Status?.Addr ?? '';
  if (addr && addr !== '0.0.0.0') return addr;
  return n.ManagerStatus?.Addr?.replace(/:\d+$/, '') ?? addr;
}
