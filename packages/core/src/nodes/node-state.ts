import type { NodeRecord } from '../node.js';
import type { NodeAddress } from './node-address.js';

// What the NodeService takes and answers: an add, a PATCH, a node's state and a test.

export interface AddNodeInput {
  name: string;
  /** A registered driver's kind; default `docker`. */
  kind?: string | undefined;
  config: unknown;
  /** Where clients reach its published ports; default: the endpoint's host. */
  publicAddress?: string | undefined;
  /** Saves the node even when its test fails (it shows as unreachable until it answers). */
  force?: boolean | undefined;
}

/** `PATCH /nodes/:name`: each field given is set (null forgets it); absent ones stay. */
export interface NodeUpdate {
  hostKey?: string | null | undefined;
  publicAddress?: string | null | undefined;
}

export interface NodeHostKey {
  fingerprint: string;
  /** `node`: the node's hostKey; `known_hosts`: an entry of the known_hosts file. */
  from: 'node' | 'known_hosts';
  /** True when this very look at the node trusted the key on first use and recorded it. */
  recorded: boolean;
}

export interface NodeState {
  record: NodeRecord;
  status: 'ready' | 'unreachable';
  runtimes: string[];
  /** Why the node is unreachable, when it is. */
  message: string | null;
  /** An ssh node's host key: its hostKey (given or recorded on first use), else the one known_hosts matched. */
  hostKey: NodeHostKey | null;
  address: NodeAddress;
}

/** A node test: what the driver found (version, latency and its details), or why it failed. */
export type NodeTestResult =
  | { ok: true; version: string; latencyMs: number; hostKey?: NodeHostKey; [detail: string]: unknown }
  | { ok: false; reason: string; message: string };
