import { LOCAL_NODE, type NodeRecord } from '../node.js';

/** Where clients reach a node's published ports, and where that came from. */
export interface NodeAddress {
  address: string;
  /** `setting`: the node's publicAddress; `endpoint`: its endpoint's host; `local`: this machine. */
  from: 'setting' | 'endpoint' | 'local';
}

/**
 * The address clients (and berth's proxy) reach a node's published ports at: its publicAddress,
 * else the host of its endpoint (tcp://100.64.1.2:2375 → 100.64.1.2, ssh://me@host-b → host-b);
 * this machine is 127.0.0.1.
 */
export function nodeAddress(record: Pick<NodeRecord, 'name' | 'config'>): NodeAddress {
  const set = record.config.publicAddress;
  if (typeof set === 'string' && set !== '') return { address: set, from: 'setting' };
  const endpoint = record.config.endpoint;
  if (record.name !== LOCAL_NODE && typeof endpoint === 'string') {
    const host = endpointHost(endpoint);
    if (host) return { address: host, from: 'endpoint' };
  }
  return { address: '127.0.0.1', from: 'local' };
}

function endpointHost(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).hostname.replace(/^\[(.*)\]$/, '$1') || undefined;
  } catch {
    // An endpoint that is no URL was refused when the node was added.
    return undefined;
  }
}
