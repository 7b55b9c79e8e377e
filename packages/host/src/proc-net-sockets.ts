import type { Listener, Protocol } from '@berth/core';
import { ProcNetPortReader, type SocketPorts } from './proc-net-ports.js';
import { readProcTextSync } from './proc-stat.js';

/** One socket of the kernel's tables in /proc/net/{tcp,tcp6,udp,udp6}. */
export interface ProcSocket {
  protocol: Protocol;
  /** The kernel's state number: 0x0A a TCP listener, 0x06 TIME-WAIT, 0x07 an unconnected UDP socket… */
  state: number;
  /** The local address as the kernel prints it (hex); `decodeHexAddress` makes it readable. */
  addressHex: string;
  port: number;
  /** The socket's inode (0 for TIME-WAIT), which names it in /proc/<pid>/fd as `socket:[inode]`. */
  inode: number;
}

export const TCP_LISTEN = 0x0a;
/** A bound UDP socket without a peer shows as CLOSE; `ss -lu` calls it UNCONN and lists it. */
export const UDP_UNCONNECTED = 0x07;

const STATE_NAMES: Record<number, string> = {
  1: 'ESTAB',
  2: 'SYN-SENT',
  3: 'SYN-RECV',
  4: 'FIN-WAIT-1',
  5: 'FIN-WAIT-2',
  6: 'TIME-WAIT',
  7: 'UNCONN',
  8: 'CLOSE-WAIT',
  9: 'LAST-ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW-SYN-RECV',
};

/** The state's name as `ss` prints it. */
export function stateName(state: number): string {
  return STATE_NAMES[state] ?? `state ${state.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Whether a socket holds its port as a listener: a TCP LISTEN socket or a bound, unconnected UDP one. */
export function isListening(s: ProcSocket): boolean {
  return s.state === (s.protocol === 'tcp' ? TCP_LISTEN : UDP_UNCONNECTED);
}

/** Hex address of /proc/net: 8 digits (IPv4) or 32 (IPv6), each 32-bit word little-endian. */
export function decodeHexAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

// `sl: local rem st tx:rx tr:when retrnsmt uid timeout inode …`
const ROW =
  /^\s*\d+:\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+\S+\s+([0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+\d+\s+\d+\s+(\d+)/;

/** Every socket of one /proc/net table (the header line is skipped). */
export function parseProcNetTable(text: string, protocol: Protocol): ProcSocket[] {
  const out: ProcSocket[] = [];
  let start = text.indexOf('\n') + 1;
  while (start > 0 && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const m = ROW.exec(text.slice(start, end));
    if (m) {
      out.push({
        protocol,
        addressHex: m[1]!,
        port: Number.parseInt(m[2]!, 16),
        state: Number.parseInt(m[3]!, 16),
        inode: Number(m[4]),
      });
    }
    start = end + 1;
  }
  return out;
}

/** A listening socket as a Listener; its owner is not in /proc/net (see `findSocketOwners`). */
export function toListener(s: ProcSocket): Listener {
  return {
    port: s.port,
    protocol: s.protocol,
    address: decodeHexAddress(s.addressHex),
    pid: null,
    process: null,
  };
}

const TABLES: [string, Protocol][] = [
  ['tcp', 'tcp'],
  ['tcp6', 'tcp'],
  ['udp', 'udp'],
  ['udp6', 'udp'],
];

/**
 * Every TCP and UDP socket of this network namespace, read from /proc/net: no process is spawned
 * and no process's fds are walked. Synchronous: the kernel hands /proc/net/tcp out ~4 KiB per
 * read(), and ~90 thread-pool round trips for 2,500 sockets took 2–3 times as long as reading
 * in one go (~1.3 ms per TCP table, most of it the kernel walking its hash buckets). A table that
 * is missing (IPv6 disabled) counts as empty; without /proc/net/tcp it throws.
 */
export function readProcNetSockets(root = '/proc/net'): ProcSocket[] {
  return TABLES.flatMap(([file, protocol]) => {
    try {
      return parseProcNetTable(readProcTextSync(`${root}/${file}`, 'latin1'), protocol);
    } catch (err) {
      if (file === 'tcp') throw err;
      return [];
    }
  });
}

/** Every listener of the kernel's tables, without owners. */
export function readProcNetListeners(root = '/proc/net'): Listener[] {
  return readProcNetSockets(root).filter(isListening).map(toListener);
}

/**
 * One reader of the socket tables for several callers: the read happens once the current turn
 * of the event loop is done (setImmediate), and every caller that asked by then shares it — the
 * ledger's listener and connection sources, and requests that arrived together (a burst of
 * creates costs one read, not one each). Callers after that get a new read: nothing is reused
 * across time. `ports()` is the ledger's reading (ports only, scanned where they lie); `read()`
 * the full one, with addresses and inodes, for naming the owners of a few ports.
 */
export class ProcNetSocketTable {
  private pending: Promise<ProcSocket[]> | undefined;
  private pendingPorts: Promise<SocketPorts> | undefined;
  private readonly portReader: ProcNetPortReader;

  constructor(private readonly root = '/proc/net') {
    this.portReader = new ProcNetPortReader(root);
  }

  read(): Promise<ProcSocket[]> {
    this.pending ??= nextTurn(() => {
      this.pending = undefined;
      return readProcNetSockets(this.root);
    });
    return this.pending;
  }

  ports(): Promise<SocketPorts> {
    this.pendingPorts ??= nextTurn(() => {
      this.pendingPorts = undefined;
      return this.portReader.read();
    });
    return this.pendingPorts;
  }
}

/** `fn`'s result once the current turn of the event loop is done. */
function nextTurn<T>(fn: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(fn());
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** The table of this machine, shared by the local listener and connection sources. */
export const localSocketTable = new ProcNetSocketTable();
