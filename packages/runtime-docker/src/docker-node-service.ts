import {
  assertName,
  type Clock,
  Conflict,
  InvalidInput,
  LOCAL_NODE,
  type Logger,
  type NodeRecord,
  NotFound,
  type Store,
  userMessage,
} from '@berth/core';
import type { DockerNode } from './docker-node.js';
import { parseDockerNodeConfig } from './docker-node-config.js';
import type { NodeRuntimeResolver } from './node-runtime-resolver.js';
import { type DockerTestResult, testDocker } from './test-docker.js';

export interface AddNodeInput {
  name: string;
  kind?: string;
  config: unknown;
}

export interface NodeState {
  record: NodeRecord;
  status: 'ready' | 'unreachable';
  runtimes: string[];
  /** Why the node is unreachable, when it is. */
  message: string | null;
}

export interface DockerNodeServiceDeps {
  store: Store;
  resolver: NodeRuntimeResolver;
  clock: Clock;
  log: Logger;
  /** Opens a remote node's engine from its record (openRemoteDockerNode with the shared options). */
  open(record: NodeRecord): Promise<DockerNode>;
}

/** The local node's record: it is not stored, it is this machine. */
const localRecord: NodeRecord = {
  name: LOCAL_NODE,
  kind: 'local',
  host: LOCAL_NODE,
  config: {},
  createdAt: 0,
};

/** Nodes as the API and CLI see them: add, list, test and remove remote Docker hosts. */
export class DockerNodeService {
  private readonly log: Logger;

  constructor(private readonly d: DockerNodeServiceDeps) {
    this.log = d.log.child({ ns: 'nodes' });
  }

  /** Opens every stored Docker node; one that cannot be opened is kept, marked with why. */
  async openAll(): Promise<void> {
    await Promise.all(
      this.d.store.nodes
        .list()
        .filter((n) => n.kind === 'docker')
        .map((n) => this.openNode(n)),
    );
  }

  private async openNode(record: NodeRecord): Promise<void> {
    try {
      this.d.resolver.addNode(await this.d.open(record));
    } catch (err) {
      this.log.warn({ node: record.name, err: userMessage(err) }, `Node ${record.name} cannot be opened`);
      this.d.resolver.markBroken(record.name, record.host, userMessage(err));
    }
  }

  records(): NodeRecord[] {
    return [localRecord, ...this.d.store.nodes.list().filter((n) => n.name !== LOCAL_NODE)];
  }

  getRecord(name: string): NodeRecord {
    const found = this.records().find((n) => n.name === name);
    if (!found) throw new NotFound('node', name);
    return found;
  }

  async list(): Promise<NodeState[]> {
    return Promise.all(this.records().map((r) => this.state(r)));
  }

  async get(name: string): Promise<NodeState> {
    return this.state(this.getRecord(name));
  }

  private async state(record: NodeRecord): Promise<NodeState> {
    const runtimes = this.d.resolver
      .describe()
      .filter((r) => r.node === record.name)
      .map((r) => r.kind);
    if (record.name === LOCAL_NODE) return { record, status: 'ready', runtimes, message: null };
    const result = await this.test(record.name, 1_500);
    return {
      record,
      status: result.ok ? 'ready' : 'unreachable',
      runtimes,
      message: result.ok ? null : result.message,
    };
  }

  /** Adds a remote Docker node; its port space is its own (host key = its name). */
  async add(input: AddNodeInput): Promise<NodeRecord> {
    assertName('node', input.name);
    if (input.kind !== undefined && input.kind !== 'docker') {
      throw new InvalidInput(`kind must be 'docker' (remote Docker hosts), got '${input.kind}'`, {
        details: { field: 'kind' },
      });
    }
    if (input.name === LOCAL_NODE || this.d.store.nodes.find(input.name)) {
      throw new Conflict(`a node named '${input.name}' already exists`, { code: 'NAME_TAKEN' });
    }
    const config = parseDockerNodeConfig(input.config);
    const record: NodeRecord = {
      name: input.name,
      kind: 'docker',
      host: input.name,
      config: { ...config },
      createdAt: this.d.clock.now(),
    };
    this.d.resolver.addNode(await this.d.open(record));
    this.d.store.nodes.upsert(record);
    this.log.info({ node: record.name, endpoint: config.endpoint }, `Added node ${record.name}`);
    return record;
  }

  /** Removes a node that no instance uses. */
  remove(name: string): void {
    if (name === LOCAL_NODE) throw new Conflict('node local is this machine; it cannot be removed');
    if (!this.d.store.nodes.find(name)) throw new NotFound('node', name);
    const instances = this.d.store.instances.list({ node: name }).map((i) => i.name);
    if (instances.length > 0) {
      throw new Conflict(
        `node ${name} still has ${instances.length} instance${instances.length === 1 ? '' : 's'} (${instances.join(', ')}); remove them first`,
        { code: 'NODE_IN_USE', details: { instances } },
      );
    }
    this.d.resolver.removeNode(name);
    this.d.store.nodes.delete(name);
    this.log.info({ node: name }, `Removed node ${name}`);
  }

  /** The engine's version and latency, or why it cannot be reached (dns, refused, unreachable, tls, timeout). */
  async test(name: string, timeoutMs = 5_000): Promise<DockerTestResult> {
    this.getRecord(name);
    const broken = this.d.resolver.brokenReason(name);
    if (broken) return { ok: false, reason: 'unknown', message: broken };
    const node = this.d.resolver.findDocker(name);
    if (!node) {
      return {
        ok: false,
        reason: 'unknown',
        message: `node ${name} has no Docker engine; it runs command templates only`,
      };
    }
    return testDocker(node.docker, { timeoutMs });
  }
}
