import type { NodeKind, NodeRecord } from '../node.js';
import type { PortRange, PortSource } from '../port-view.js';
import type { Runtime } from '../runtime.js';
import type { TemplateSource } from '../template.js';
import type { NodeImages } from '../version-host.js';

type SourceKind = TemplateSource['kind'];

/** A runtime of an opened node and the template source kinds it runs there. */
export interface NodeRuntime {
  runtime: Runtime;
  sources: SourceKind[];
}

/** What a node test found: the engine/cluster it reached, or why it could not. */
export type NodeProbe =
  | {
      ok: true;
      /** e.g. "Docker 20.10.24", "Swarm (2 nodes)", "Kubernetes v1.31.0". */
      version: string;
      latencyMs: number;
      /** Kind-specific facts shown with the node (host key, swarm members, namespace…). */
      details?: Record<string, unknown>;
    }
  | {
      ok: false;
      /** A short machine word: dns, refused, unreachable, tls, hostkey, auth, timeout, unknown. */
      reason: string;
      message: string;
    };

/** A node once its driver has opened it: its runtimes, its port space and a way to test it. */
export interface OpenedNode {
  runtimes: NodeRuntime[];
  /**
   * The ports its workloads (and anything else on its port space) hold, for the ledger. The
   * registry asks it only for the node's own host (`NodeRecord.host`).
   */
  portSource?: PortSource;
  /**
   * The only ports the node's host can publish, when its port space has rules of its own (a
   * Kubernetes cluster's NodePort range): the ledger chooses only inside it. Undefined: any port.
   */
  portRange?: PortRange;
  /** Where clients and berth's proxy reach its published ports (an address or host name). */
  address: string;
  /**
   * For a node that does not publish its workloads' ports (a Kubernetes node with ClusterIP
   * Services): how berth's proxy reaches them instead. Undefined: at `address` and the host port.
   */
  gateway?: PortGateway;
  /** The images on the node's engine (image templates' versions), where its driver reaches one. */
  images?: NodeImages;
  /**
   * Why berth cannot look at the node's images when it has no `images` (a cluster's are on its
   * kubelets); the registry says so generically otherwise.
   */
  imagesUnknown?: string;
  /** Reaches the node within timeoutMs; never throws. */
  test(timeoutMs: number): Promise<NodeProbe>;
  /** Ends its connections; the registry drops it after this. */
  close(): void;
  /**
   * Why this node cannot run a source kind none of its runtimes serves, in words the user acts on
   * ("no compose CLI on this machine reaches its engine"); the registry says so generically otherwise.
   */
  unsupported?(source: SourceKind): string;
}

/**
 * Where berth's proxy sends an instance's HTTP requests through a node's own gateway (the Kubernetes
 * API server's service proxy): a base URL the request's path is appended to, and the headers and
 * TLS settings that authenticate berth there. Plain data: the server makes the request.
 */
export interface GatewayUpstream {
  url: string;
  headers: Record<string, string>;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
}

/** Finds the gateway upstream of one named port of an instance's workload on the node. */
export interface PortGateway {
  upstream(
    workload: { instanceId: string; instanceName: string; owner: string },
    port: string,
  ): Promise<GatewayUpstream>;
}

/** Told by a driver while it opens or uses a node (an ssh host key trusted on first use…). */
export interface NodeDriverHooks {
  /** Stores a change of the node's config that the driver learned (e.g. `{ hostKey }`). */
  updateConfig(patch: Record<string, unknown>): void;
}

/**
 * One kind of node (local, docker, swarm, kubernetes). Each adapter package exports its driver;
 * the composition root registers them with the NodeRegistry. Drivers hold no records: the
 * registry stores them and hands each to `open`.
 */
export interface NodeDriver {
  readonly kind: NodeKind;
  /**
   * Checks and normalises the kind's config from the API (endpoint, TLS files, kubeconfig…);
   * throws InvalidInput naming the field. Returns what is stored in `NodeRecord.config` (a
   * promise where the check needs a library loaded only then: a kubeconfig's parser).
   */
  parseConfig(input: unknown): Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * The port space a new node of this kind publishes into: usually its own name; a node may share
   * one (two endpoints of one machine). Default: the node's name.
   */
  hostOf?(name: string, config: Record<string, unknown>): string;
  /** Connects (lazily where it can); throws a user-facing error when the record cannot be used at all. */
  open(record: NodeRecord, hooks: NodeDriverHooks): Promise<OpenedNode>;
  /**
   * Applies a PATCH of the node's settings (`publicAddress`, an ssh `hostKey`…; null forgets one)
   * to its stored config and returns the new config; throws InvalidInput naming the field, so the
   * service stores all of it or none. Without it only `publicAddress` can change, unchecked.
   */
  updateConfig?(config: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown>;
}
