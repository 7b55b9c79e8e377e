import { readFile } from 'node:fs/promises';
import type { Listener, Protocol } from '@berth/core';

const TCP_LISTEN = '0A';
/** An unconnected UDP socket (bound, no peer) shows as TCP_CLOSE. */
const UDP_UNCONNECTED = '07';

/** Hex address of /proc/net: 8 digits (IPv4) or 32 (IPv6), each 32-bit word little-endian. */
export function decodeHexAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Listening sockets of one /proc/net/{tcp,tcp6,udp,udp6} table. Owners are not visible from it. */
export function parseProcNet(text: string, protocol: Protocol): Listener[] {
  const wanted = protocol === 'tcp' ? TCP_LISTEN : UDP_UNCONNECTED;
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] !== wanted || !cols[1]) continue;
    const [addr, port] = cols[1].split(':');
    if (!addr || !port) continue;
    out.push({
      port: Number.parseInt(port, 16),
      protocol,
      address: decodeHexAddress(addr),
      pid: null,
      process: null,
    });
  }
  return out;
}

/** Every listener in the kernel's socket tables, read from /proc/net (the fallback when `ss` is missing). */
export async function readProcNetListeners(root = '/proc/net'): Promise<Listener[]> {
  const tables: [string, Protocol][] = [
    ['tcp', 'tcp'],
    ['tcp6', 'tcp'],
    ['udp', 'udp'],
    ['udp6', 'udp'],
  ];
  const parsed = await Promise.all(
    tables.map(async ([file, protocol]) => {
      try {
        return parseProcNet(await readFile(`${root}/${file}`, 'utf8'), protocol);
      } catch {
        return [];
      }
    }),
  );
  return parsed.flat();
}
