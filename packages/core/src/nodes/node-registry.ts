import { InvalidInput, NotFound, RuntimeUnavailable, userMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { NodeKind, NodeRecord } from '../node.js';
import type { TakenPort } from '../port-lease.js';
import { intersectRanges, type PortRange, type PortSource } from '../port-view.js';
import type { Runtime } from '../runtime.js';
import type { RuntimeResolver } from '../runtime-resolver.js';
import type { TemplateSource } from '../template.js';
import type { NodeImagesLookup, NodeImagesSource } from '../version-host.js';
import type { NodeDriver, NodeDriverHooks, OpenedNode, PortGateway } from './node-driver.js';

type SourceKind = TemplateSource['kind'];

interface Held {
  record: NodeRecord;
  node: OpenedNode;
}

/**
 * The nodes berth can use, each opened by the driver of its kind: the RuntimeResolver of the core
 * and, for the ledger, the port source of every opened node's host. A node whose record cannot be
 * opened (a certificate file gone…) is kept as broken, with why, so it still shows and says so.
 */
export class NodeRegistry implements RuntimeResolver, PortSource, NodeImagesSource {
  readonly name = 'nodes';
  private readonly drivers = new Map<NodeKind, NodeDriver>();
  private readonly opened = new Map<string, Held>();
  private readonly broken = new Map<string, { record: NodeRecord; reason: string }>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log.child({ ns: 'nodes' });
  }

  register(driver: NodeDriver): this {
    this.drivers.set(driver.kind, driver);
    return this;
  }

  kinds(): NodeKind[] {
    return [...this.drivers.keys()];
  }

  /** The driver of a kind, or InvalidInput naming `kind` and the kinds there are. */
  driver(kind: string): NodeDriver {
    const found = this.drivers.get(kind as NodeKind);
    if (found) return found;
    throw new InvalidInput(`kind must be one of ${this.kinds().join(', ')}; got '${kind}'`, {
      details: { field: 'kind', kinds: this.kinds() },
    });
  }

  /** Opens (or opens again) a node; a failure leaves it broken with why, and is thrown. */
  async open(record: NodeRecord, hooks: NodeDriverHooks): Promise<OpenedNode> {
    this.close(record.name);
    try {
      const driver = this.drivers.get(record.kind);
      if (!driver) throw new InvalidInput(`this server has no driver for ${record.kind} nodes`);
      const node = await driver.open(record, hooks);
      this.opened.set(record.name, { record, node });
      return node;
    } catch (err) {
      this.broken.set(record.name, { record, reason: userMessage(err) });
      throw err;
    }
  }

  /** Opens each record; one that cannot be opened is logged and kept as broken. */
  async openAll(records: NodeRecord[], hooksOf: (r: NodeRecord) => NodeDriverHooks): Promise<void> {
    await Promise.all(
      records.map((r) =>
        this.open(r, hooksOf(r)).catch((err) =>
          this.log.warn({ node: r.name, err: userMessage(err) }, `Node ${r.name} cannot be opened`),
        ),
      ),
    );
  }

  /** Ends a node's connections and forgets it. */
  close(name: string): void {
    this.opened.get(name)?.node.close();
    this.opened.delete(name);
    this.broken.delete(name);
  }

  closeAll(): void {
    for (const name of [...this.opened.keys()]) this.close(name);
  }

  find(name: string): OpenedNode | undefined {
    return this.opened.get(name)?.node;
  }

  /** How berth's proxy reaches the node's workloads when it does not publish their ports (OpenedNode.gateway). */
  gateway(name: string): PortGateway | undefined {
    return this.opened.get(name)?.node.gateway;
  }

  /** The images on the node's engine (OpenedNode.images), or why berth cannot look at them. */
  imagesOf(name: string): NodeImagesLookup {
    const broken = this.broken.get(name);
    if (broken) return { unknown: `node ${name} cannot be used: ${broken.reason}` };
    const held = this.opened.get(name);
    if (!held) throw new NotFound('node', name);
    const { images, imagesUnknown } = held.node;
    if (images) return { images };
    return {
      unknown:
        imagesUnknown ??
        `berth does not see the images of node ${name} (${held.record.kind}); its runtime pulls as it deploys`,
    };
  }

  brokenReason(name: string): string | undefined {
    return this.broken.get(name)?.reason;
  }

  /** Whether berth knows the node (opened or broken). */
  has(name: string): boolean {
    return this.opened.has(name) || this.broken.has(name);
  }

  resolve(node: string, source: SourceKind): Runtime {
    const held = this.held(node);
    const found = held.node.runtimes.find((r) => r.sources.includes(source));
    if (found) return found.runtime;
    const why =
      held.node.unsupported?.(source) ?? `node ${node} (${held.record.kind}) cannot run ${source} templates`;
    throw unavailable(node, why, { sourceKind: source });
  }

  byKind(node: string, runtimeKind: string): Runtime {
    const found = this.held(node).node.runtimes.find((r) => r.runtime.kind === runtimeKind);
    if (!found) throw unavailable(node, `no ${runtimeKind} runtime on node ${node}`, { runtimeKind });
    return found.runtime;
  }

  all(): { node: string; runtime: Runtime }[] {
    return [...this.opened.values()].flatMap((h) =>
      h.node.runtimes.map((r) => ({ node: h.record.name, runtime: r.runtime })),
    );
  }

  hostOf(node: string): string {
    const record = this.opened.get(node)?.record ?? this.broken.get(node)?.record;
    if (!record) throw new NotFound('node', node);
    return record.host;
  }

  /** Source kinds each runtime serves, per node, for `system/info` and `nodes`. */
  describe(): { node: string; kind: string; sources: SourceKind[] }[] {
    return [...this.opened.values()].flatMap((h) =>
      h.node.runtimes.map((r) => ({ node: h.record.name, kind: r.runtime.kind, sources: [...r.sources] })),
    );
  }

  /** Ports held on `host` by the workloads of every node publishing into it. */
  async taken(host: string): Promise<TakenPort[]> {
    const sources = [...this.opened.values()]
      .filter((h) => h.record.host === host)
      .flatMap((h) => (h.node.portSource ? [h.node.portSource] : []));
    const lists = await Promise.all(sources.map((s) => s.taken(host)));
    return lists.flat();
  }

  /** The ports the host can publish at all: what its nodes' drivers say (see OpenedNode.portRange). */
  range(host: string): PortRange | undefined {
    let range: PortRange | undefined;
    for (const h of this.opened.values()) {
      if (h.record.host === host && h.node.portRange)
        range = intersectRanges(range, h.node.portRange) ?? range;
    }
    return range;
  }

  private held(node: string): Held {
    const found = this.opened.get(node);
    if (found) return found;
    const broken = this.broken.get(node);
    if (broken) throw unavailable(node, `node ${node} cannot be used: ${broken.reason}`, {});
    throw new NotFound('node', node);
  }
}

function unavailable(node: string, message: string, details: Record<string, unknown>): RuntimeUnavailable {
  return new RuntimeUnavailable(message, { details: { node, ...details } });
}
