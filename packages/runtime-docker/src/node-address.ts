import { isIP } from 'node:net';
import { InvalidInput } from '@berth/core';

// Where a node is reached is the core's (the node service shows it); parsing an address is here.
export { type NodeAddress, nodeAddress } from '@berth/core';

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

/** An address as the host part of a URL: IPv6 in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
