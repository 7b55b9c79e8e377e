import { isIP } from 'node:net';
import { InvalidInput, LOCAL_NODE, type NodeRecord } from '@berth/core';

/** Where clients reach a node's published ports, and where that came from. */
export interface NodeAddress {
  address: string;
  /** `setting`: the node's publicAddress; `endpoint`: its endpoint's host; `local`: this machine. */
  from: 'setting' | 'endpoint' | 'local';
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A host name or IP address (IPv6 with or without brackets), or InvalidInput naming `publicAddress`. */
export function parsePublicAddress(text: unknown): string {
  const value = typeof text === 'string' ? text.trim() : '';
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) || HOST_NAME.test(bare)) return bare.toLowerCase();
  throw new InvalidInput(
    `publicAddress '${String(text)}' is not a host name or IP address (give it without scheme or port, e.g. 100.64.0.7 or host-b.lan)`,
    { details: { field: 'publicAddress' } },
  );
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
    try {
      const host = new URL(endpoint).hostname.replace(/^\[(.*)\]$/, '$1');
      if (host) return { address: host, from: 'endpoint' };
    } catch {
      // An endpoint that is no URL was refused when the node was added; fall through.
    }
  }
  return { address: '127.0.0.1', from: 'local' };
}

/** An address as the host part of a URL: IPv6 in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
