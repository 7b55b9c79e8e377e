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
import { type DockerNode, sshAgentOf } from './docker-node.js';
import { parseDockerNodeConfig, parseHostKey } from './docker-node-config.js';
import { ENGINE_DEADLINE_MS } from './engine-deadline.js';
import { type NodeAddress, nodeAddress, parsePublicAddress } from './node-address.js';
import type { NodeRuntimeResolver } from './node-runtime-resolver.js';
import type { HostKeyTrust } from './ssh-host-trust.js';
import { type DockerTestResult, testDocker } from './test-docker.js';

export interface AddNodeInput {
  name: string;
  kind?: string;
  config: unknown;
  /** Where clients reach its published ports; default: the endpoint's host. */
  publicAddress?: string | undefined;
}

/** `PATCH /nodes/:name`: each field given is set (null forgets it); absent ones stay. */
export interface NodeUpdate {
  hostKey?: string | null | undefined;
  publicAddress?: string | null | undefined;
}

export interface NodeState {
  record: NodeRecord;
  status: 'ready' | 'unreachable';
  runtimes: string[];
  /** Why the node is unreachable, when it is. */
  message: string | null;
  /** An ssh node's host key: its hostKey (given or recorded on first use), else the one known_hosts matched. */
  hostKey: NodeHostKey | null;
  /** Where clients and berth's proxy reach its published ports. */
  address: NodeAddress;
}

export interface NodeHostKey {
  fingerprint: string;
  /** `node`: the node's hostKey; `known_hosts`: an entry of the known_hosts file. */
  from: HostKeyTrust;
  /** True when this very look at the node trusted the key on first use and recorded it. */
  recorded: boolean;
}

/** A node test: the engine's version, and for an ssh node the host key it presented. */
export type NodeTestResult =
  | (Extract<DockerTestResult, { ok: true }> & { hostKey?: NodeHostKey })
  | Extract<DockerTestResult, { ok: false }>;

export interface DockerNodeServiceDeps {
  store: Store;
  resolver: NodeRuntimeResolver;
  clock: Clock;
  log: Logger;
  /**
   * Opens a remote node's engine from its record (openRemoteDockerNode with the shared options);
   * `onFirstHostKey` hears of an ssh host key trusted on first use.
   */
  open(record: NodeRecord, onFirstHostKey: (fingerprint: string) => void): Promise<DockerNode>;
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
  /** Nodes whose host key was recorded on first use and not yet reported by a test. */
  private readonly recorded = new Set<string>();

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
      this.d.resolver.addNode(await this.openEngine(record));
    } catch (err) {
      this.log.warn({ node: record.name, err: userMessage(err) }, `Node ${record.name} cannot be opened`);
      this.d.resolver.markBroken(record.name, record.host, userMessage(err));
    }
  }

  private openEngine(record: NodeRecord): Promise<DockerNode> {
    return this.d.open(record, (fingerprint) => this.recordHostKey(record.name, fingerprint));
  }

  /** Trust on first use: the key the host presented becomes the node's hostKey, stored. */
  private recordHostKey(name: string, fingerprint: string): void {
    const record = this.d.store.nodes.find(name);
    if (!record || typeof record.config.hostKey === 'string') return;
    this.d.store.nodes.upsert({ ...record, config: { ...record.config, hostKey: fingerprint } });
    this.recorded.add(name);
    this.log.info(
      { node: name, hostKey: fingerprint },
      `Recorded the ssh host key of node ${name} on first use: ${fingerprint}; every later connection must present it`,
    );
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

  private async state(before: NodeRecord): Promise<NodeState> {
    const runtimes = this.d.resolver
      .describe()
      .filter((r) => r.node === before.name)
      .map((r) => r.kind);
    if (before.name === LOCAL_NODE) {
      return {
        record: before,
        status: 'ready',
        runtimes,
        message: null,
        hostKey: null,
        address: nodeAddress(before),
      };
    }
    // As long as any remote read may take (an ssh handshake on a busy machine took over 1.5 s).
    const result = await this.test(before.name, ENGINE_DEADLINE_MS.remote);
    // The test may have recorded the host key on first use.
    const record = this.d.store.nodes.find(before.name) ?? before;
    const stored = record.config.hostKey;
    const hostKey =
      result.ok && result.hostKey
        ? result.hostKey
        : typeof stored === 'string'
          ? { fingerprint: stored, from: 'node' as const, recorded: false }
          : null;
    return {
      record,
      status: result.ok ? 'ready' : 'unreachable',
      runtimes,
      message: result.ok ? null : result.message,
      hostKey,
      address: nodeAddress(record),
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
    if (input.publicAddress !== undefined) config.publicAddress = parsePublicAddress(input.publicAddress);
    const record: NodeRecord = {
      name: input.name,
      kind: 'docker',
      host: input.name,
      config: { ...config },
      createdAt: this.d.clock.now(),
    };
    this.d.resolver.addNode(await this.openEngine(record));
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
    this.recorded.delete(name);
    this.log.info({ node: name }, `Removed node ${name}`);
  }

  /**
   * Where clients reach a node's published ports (links, the reverse proxy, health checks): its
   * publicAddress, else its endpoint's host; 127.0.0.1 for this machine and for unknown nodes.
   */
  address(name: string): string {
    if (name === LOCAL_NODE) return '127.0.0.1';
    const record = this.d.store.nodes.find(name);
    return record ? nodeAddress(record).address : '127.0.0.1';
  }

  /** Applies a PATCH: every field is checked before anything is stored, so it all applies or none does. */
  update(name: string, patch: NodeUpdate): NodeRecord {
    if (patch.hostKey !== undefined) this.checkHostKey(name, patch.hostKey ?? undefined);
    if (patch.publicAddress !== undefined) this.checkPublicAddress(name, patch.publicAddress ?? undefined);
    if (patch.hostKey !== undefined) this.setHostKey(name, patch.hostKey ?? undefined);
    if (patch.publicAddress !== undefined) this.setPublicAddress(name, patch.publicAddress ?? undefined);
    return this.getRecord(name);
  }

  /** Sets (or, with undefined, forgets: the endpoint's host again) where clients reach the node. */
  setPublicAddress(name: string, publicAddress: string | undefined): NodeRecord {
    const { record, address } = this.checkPublicAddress(name, publicAddress);
    const { publicAddress: _old, ...rest } = record.config;
    const updated = { ...record, config: address ? { ...rest, publicAddress: address } : rest };
    this.d.store.nodes.upsert(updated);
    this.log.info(
      { node: name, publicAddress: address ?? null },
      `Node ${name} is reached at ${nodeAddress(updated).address}${address ? '' : " (its endpoint's host)"}`,
    );
    return updated;
  }

  private checkPublicAddress(
    name: string,
    publicAddress: string | undefined,
  ): { record: NodeRecord; address: string | undefined } {
    if (name === LOCAL_NODE)
      throw new InvalidInput('node local is this machine; its links use 127.0.0.1', {
        details: { field: 'publicAddress' },
      });
    const record = this.d.store.nodes.find(name);
    if (!record) throw new NotFound('node', name);
    return { record, address: publicAddress === undefined ? undefined : parsePublicAddress(publicAddress) };
  }

  /** What setHostKey would refuse, refused without changing anything. */
  private checkHostKey(name: string, hostKey: string | undefined): void {
    if (name === LOCAL_NODE) throw new InvalidInput('node local is this machine; it has no ssh host key');
    const record = this.d.store.nodes.find(name);
    if (!record) throw new NotFound('node', name);
    const config = parseDockerNodeConfig(record.config);
    if (!config.endpoint.startsWith('ssh://')) {
      throw new InvalidInput(`hostKey applies to ssh:// endpoints only; node ${name} is ${config.endpoint}`, {
        details: { field: 'hostKey' },
      });
    }
    if (hostKey !== undefined) parseHostKey(hostKey);
  }

  /**
   * Sets (or, with undefined, forgets) an ssh node's hostKey — after the host was reinstalled. Its
   * open connections close; the next one must present that key (or, forgotten, is trusted on first
   * use and recorded, unless known_hosts lists the host).
   */
  setHostKey(name: string, hostKey: string | undefined): NodeRecord {
    this.checkHostKey(name, hostKey);
    const record = this.d.store.nodes.find(name);
    if (!record) throw new NotFound('node', name);
    const fingerprint = hostKey === undefined ? undefined : parseHostKey(hostKey);
    const { hostKey: _old, ...rest } = record.config;
    const updated = { ...record, config: fingerprint ? { ...rest, hostKey: fingerprint } : rest };
    this.d.store.nodes.upsert(updated);
    this.recorded.delete(name);
    const node = this.d.resolver.findDocker(name);
    if (node) sshAgentOf(node)?.expectHostKey(fingerprint);
    this.log.info(
      { node: name, hostKey: fingerprint ?? null },
      fingerprint
        ? `Node ${name} now expects the ssh host key ${fingerprint}`
        : `Node ${name} forgot its ssh host key; the next connection trusts the key it sees (unless known_hosts lists the host)`,
    );
    return updated;
  }

  /** The engine's version and latency, or why it cannot be reached (dns, refused, unreachable, tls, hostkey, timeout). */
  async test(name: string, timeoutMs = 5_000): Promise<NodeTestResult> {
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
    const result = await testDocker(node.docker, { timeoutMs });
    const seen = sshAgentOf(node)?.hostKey;
    if (!result.ok || !seen) return result;
    const recorded = this.recorded.delete(name);
    return { ...result, hostKey: { fingerprint: seen.fingerprint, from: seen.trust, recorded } };
  }
}
