import type { CancelTimer, Clock } from '../clock.js';
import { Conflict, InvalidInput, NotFound, userMessage } from '../errors.js';
import type { EventBus } from '../event-bus.js';
import type { Logger } from '../logger.js';
import { assertName } from '../names.js';
import { LOCAL_NODE, type NodeRecord } from '../node.js';
import type { Store } from '../store.js';
import { type NodeAddress, nodeAddress } from './node-address.js';
import type { NodeDriverHooks, NodeProbe } from './node-driver.js';
import { NodeReachability } from './node-reachability.js';
import { localHasNo, unreachable } from './node-refusals.js';
import type { NodeRegistry } from './node-registry.js';
import type { AddNodeInput, NodeHostKey, NodeState, NodeTestResult, NodeUpdate } from './node-state.js';

export interface NodeServiceDeps {
  store: Store;
  registry: NodeRegistry;
  clock: Clock;
  log: Logger;
  /** Told when a node turns unreachable or reachable again (`node.status`). */
  events?: Pick<EventBus, 'emit'>;
  /** How long a node's status waits for it (as long as any remote read may take). */
  statusTimeoutMs?: number;
  /**
   * How long the test before an add waits: longer than a status look, since a first ssh handshake
   * on a busy machine takes seconds and refusing a node that answers late would be wrong.
   */
  addTimeoutMs?: number;
}

const localRecord: NodeRecord = {
  name: LOCAL_NODE,
  kind: 'local',
  host: LOCAL_NODE,
  config: {},
  createdAt: 0,
};

/** Nodes as the API and CLI see them: add (tested first), list, test, update and remove. */
export class NodeService {
  private readonly log: Logger;
  /** Nodes whose host key was recorded on first use and not yet reported by a test. */
  private readonly recorded = new Set<string>();
  /** Records of adds in progress: a key trusted on first use during their test lands here. */
  private readonly adding = new Map<string, NodeRecord>();
  /**
   * Nodes opened again (a host-key change) and not looked at since: the next look makes a new
   * connection — for an ssh node a handshake and a docker CLI started on the host, seconds on a
   * busy machine — so it may take as long as an add's test, not a status look's few seconds.
   */
  private readonly reopened = new Set<string>();
  private readonly reachability: NodeReachability;

  constructor(private readonly d: NodeServiceDeps) {
    this.log = d.log.child({ ns: 'nodes' });
    this.reachability = new NodeReachability(d.events, this.log);
  }

  /** Looks at every node each `intervalMs`, so a node going away is told without anyone asking. */
  watch(intervalMs: number): CancelTimer {
    return this.reachability.watch(this.d.clock, intervalMs, () => this.list());
  }

  /** Opens node local and every stored node; one that cannot be opened is kept, marked with why. */
  async openAll(): Promise<void> {
    const local = this.d.registry.kinds().includes('local') ? [localRecord] : [];
    const stored = this.d.store.nodes.list().filter((n) => n.name !== LOCAL_NODE);
    await this.d.registry.openAll([...local, ...stored], (r) => this.hooks(r.name));
  }

  private hooks(name: string): NodeDriverHooks {
    return { updateConfig: (patch) => this.learn(name, patch) };
  }

  /** A setting the driver learned (an ssh host key trusted on first use) joins the record. */
  private learn(name: string, patch: Record<string, unknown>): void {
    const pending = this.adding.get(name);
    const record = pending ?? this.d.store.nodes.find(name);
    if (!record) return;
    const updated = { ...record, config: { ...record.config, ...patch } };
    if (pending) this.adding.set(name, updated);
    else this.d.store.nodes.upsert(updated);
    if (typeof patch.hostKey === 'string') this.recorded.add(name);
    this.log.info(
      { node: name, ...patch },
      `Node ${name} recorded ${Object.keys(patch).join(', ')} on first use`,
    );
  }

  records(): NodeRecord[] {
    return [localRecord, ...this.d.store.nodes.list().filter((n) => n.name !== LOCAL_NODE)];
  }

  getRecord(name: string): NodeRecord {
    const found = name === LOCAL_NODE ? localRecord : this.d.store.nodes.find(name);
    if (!found) throw new NotFound('node', name);
    return found;
  }

  list(): Promise<NodeState[]> {
    return Promise.all(this.records().map((r) => this.state(r)));
  }

  get(name: string): Promise<NodeState> {
    return this.state(this.getRecord(name));
  }

  private async state(before: NodeRecord): Promise<NodeState> {
    const runtimes = this.d.registry
      .describe()
      .filter((r) => r.node === before.name)
      .map((r) => r.kind);
    const address = this.addressOf(before);
    if (before.name === LOCAL_NODE) {
      return { record: before, status: 'ready', runtimes, message: null, hostKey: null, address };
    }
    const result = await this.test(before.name, this.d.statusTimeoutMs ?? 3_000);
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
      address: this.addressOf(record),
    };
  }

  /**
   * Adds a node of a registered kind once its test passes; one that does not answer is refused
   * with why, unless `force` (it is then saved and shows as unreachable until it answers).
   */
  async add(input: AddNodeInput): Promise<NodeRecord> {
    assertName('node', input.name);
    const kind = input.kind ?? 'docker';
    const driver = this.addableDriver(kind);
    this.assertNameFree(input.name);
    const config = await driver.parseConfig(withPublicAddress(input.config, input.publicAddress));
    this.assertNameFree(input.name); // taken by an add that went on while the config was read
    const record: NodeRecord = {
      name: input.name,
      kind: driver.kind,
      host: driver.hostOf?.(input.name, config) ?? input.name,
      config,
      createdAt: this.d.clock.now(),
    };
    this.adding.set(record.name, record);
    try {
      const probe = await this.probeNew(record);
      if (!probe.ok && !input.force) throw unreachable(record.name, probe);
      const saved = this.adding.get(record.name) ?? record;
      this.d.store.nodes.upsert(saved);
      this.log.info({ node: saved.name, kind: saved.kind }, `Added node ${saved.name}`);
      return saved;
    } catch (err) {
      this.d.registry.close(record.name);
      this.recorded.delete(record.name);
      throw err;
    } finally {
      this.adding.delete(record.name);
    }
  }

  private assertNameFree(name: string): void {
    if (name === LOCAL_NODE || this.d.store.nodes.find(name) || this.adding.has(name))
      throw new Conflict(`a node named '${name}' already exists`, { code: 'NAME_TAKEN' });
  }

  private addableDriver(kind: string) {
    const kinds = this.d.registry.kinds().filter((k) => k !== 'local');
    if (kind === 'local' || !kinds.includes(kind as never)) {
      throw new InvalidInput(`kind must be one of ${kinds.join(', ')}; got '${kind}'`, {
        details: { field: 'kind', kinds },
      });
    }
    return this.d.registry.driver(kind);
  }

  private async probeNew(record: NodeRecord): Promise<NodeProbe> {
    const node = await this.d.registry.open(record, this.hooks(record.name));
    return node.test(this.addTimeoutMs);
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
    this.d.registry.close(name);
    this.d.store.nodes.delete(name);
    this.recorded.delete(name);
    this.reopened.delete(name);
    this.reachability.forget(name);
    this.log.info({ node: name }, `Removed node ${name}`);
  }

  /** Where clients reach a node's published ports (links, the reverse proxy, health checks). */
  address(name: string): string {
    if (name === LOCAL_NODE) return '127.0.0.1';
    const record = this.d.store.nodes.find(name);
    return record ? this.addressOf(record).address : '127.0.0.1';
  }

  private addressOf(record: NodeRecord): NodeAddress {
    const fromConfig = nodeAddress(record);
    const opened = this.d.registry.find(record.name)?.address;
    if (fromConfig.from !== 'local' || record.name === LOCAL_NODE || !opened) return fromConfig;
    return { address: opened, from: 'endpoint' };
  }

  /**
   * Applies a PATCH through the node's driver, which checks every field before anything is
   * stored (so it all applies or none does). A change of how it is reached (a host key) opens the
   * node again, so its open connections close and the next one expects the new key; an address
   * alone keeps them (the address is read from the record).
   */
  async update(name: string, patch: NodeUpdate): Promise<NodeRecord> {
    if (name === LOCAL_NODE) throw localHasNo(patch);
    const record = this.getRecord(name);
    const fields = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const driver = this.d.registry.driver(record.kind);
    const config = driver.updateConfig
      ? driver.updateConfig(record.config, fields)
      : (withPublicAddress(record.config, fields.publicAddress as string | null | undefined) as Record<
          string,
          unknown
        >);
    const updated = { ...record, config };
    this.d.store.nodes.upsert(updated);
    if ('hostKey' in fields) this.recorded.delete(name);
    this.log.info({ node: name, ...fields }, `Updated node ${name}: ${Object.keys(fields).join(', ')}`);
    if (Object.keys(fields).every((k) => k === 'publicAddress')) return updated;
    await this.d.registry.open(updated, this.hooks(name)).then(
      () => this.reopened.add(name),
      (err) => this.log.warn({ node: name, err: userMessage(err) }, `Node ${name} cannot be opened`),
    );
    return updated;
  }

  private get addTimeoutMs(): number {
    return this.d.addTimeoutMs ?? 10_000;
  }

  /** What the driver's test found (engine version, latency, an ssh host key), or why it failed. */
  async test(name: string, timeoutMs = 5_000): Promise<NodeTestResult> {
    const first = this.reopened.delete(name);
    const result = await this.probe(name, first ? Math.max(timeoutMs, this.addTimeoutMs) : timeoutMs);
    if (name !== LOCAL_NODE && this.d.store.nodes.find(name))
      this.reachability.saw(name, result.ok ? 'ready' : 'unreachable', result.ok ? null : result.message);
    return result;
  }

  private async probe(name: string, timeoutMs: number): Promise<NodeTestResult> {
    this.getRecord(name);
    const broken = this.d.registry.brokenReason(name);
    if (broken) return { ok: false, reason: 'unknown', message: broken };
    const node = this.d.registry.find(name);
    if (!node) return { ok: false, reason: 'unknown', message: `node ${name} is not open` };
    const probe = await node.test(timeoutMs);
    if (!probe.ok) return probe;
    const { hostKey: seen, ...details } = probe.details ?? {};
    const result = { ok: true as const, version: probe.version, ...details, latencyMs: probe.latencyMs };
    if (!isSeenKey(seen)) return result;
    const recorded = this.recorded.delete(name);
    return { ...result, hostKey: { fingerprint: seen.fingerprint, from: seen.from, recorded } };
  }
}

function isSeenKey(v: unknown): v is { fingerprint: string; from: NodeHostKey['from'] } {
  return (
    typeof v === 'object' && v !== null && typeof (v as { fingerprint?: unknown }).fingerprint === 'string'
  );
}

/** The node's config with `publicAddress` set (or, with undefined/null, forgotten). */
function withPublicAddress(config: unknown, publicAddress: string | null | undefined): unknown {
  if (publicAddress === undefined || typeof config !== 'object' || config === null) return config;
  const { publicAddress: _old, ...rest } = config as Record<string, unknown>;
  return publicAddress === null ? rest : { ...rest, publicAddress };
}
