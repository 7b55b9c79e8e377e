import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The ports of one reading of /proc/net/{tcp,tcp6,udp,udp6}: what the port ledger needs, and no
 * more. Each list is ascending, each port once.
 */
export interface SocketPorts {
  /** Ports of TCP listeners. */
  tcpListening: number[];
  /** Ports of bound, unconnected UDP sockets (what `ss -lu` lists). */
  udpListening: number[];
  /** Local ports of TCP sockets in any state but LISTEN (TIME-WAIT included), with the state of the first. */
  tcpConnections: { port: number; state: number }[];
}

const TCP_LISTEN = 0x0a;
const UDP_UNCONNECTED = 0x07;
const NEWLINE = 10;
const COLON = 58;

/** The value of `digits` hex digits at `at`, or -1. */
function hexAt(buf: Uint8Array, at: number, digits: number): number {
  let v = 0;
  for (let i = at; i < at + digits; i++) {
    const c = buf[i] ?? 0;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Calls `row(port, state)` for each socket of one table (`sl: local:port remote:port st …`),
 * reading the bytes where they are: no line strings, no object per socket. A row that does not
 * have that shape is skipped.
 */
export function scanProcNetRows(buf: Buffer, length: number, row: (port: number, state: number) => void) {
  let start = buf.indexOf(NEWLINE) + 1;
  while (start > 0 && start < length) {
    let end = buf.indexOf(NEWLINE, start);
    if (end < 0 || end > length) end = length;
    const sl = buf.indexOf(COLON, start);
    const local = sl < 0 || sl >= end ? -1 : buf.indexOf(COLON, sl + 1);
    const remote = local < 0 || local >= end ? -1 : buf.indexOf(COLON, local + 5);
    if (remote > 0 && remote + 8 <= end) {
      const port = hexAt(buf, local + 1, 4);
      const state = hexAt(buf, remote + 6, 2);
      if (port >= 0 && state >= 0) row(port, state);
    }
    start = end + 1;
  }
}

/** The ports marked (non-zero), ascending. */
function marked(marks: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 1; p < marks.length; p++) if (marks[p] !== 0) out.push(p);
  return out;
}

/**
 * Reads the socket tables into one buffer kept for the next reading (1.5 MB with 10,000
 * listeners: growing a fresh one each time cost more than the scan).
 */
export class ProcNetPortReader {
  private buf = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly root = '/proc/net') {}

  /** A missing table (IPv6 or UDP disabled) counts as empty; without /proc/net/tcp it throws. */
  read(): SocketPorts {
    const tcpListen = new Uint8Array(65536);
    const udpListen = new Uint8Array(65536);
    const tcpOther = new Uint8Array(65536);
    const tcp = (port: number, state: number) => {
      if (state === TCP_LISTEN) tcpListen[port] = 1;
      else if (tcpOther[port] === 0) tcpOther[port] = state;
    };
    const udp = (port: number, state: number) => {
      if (state === UDP_UNCONNECTED) udpListen[port] = 1;
    };
    this.scan('tcp', tcp, true);
    this.scan('tcp6', tcp);
    this.scan('udp', udp);
    this.scan('udp6', udp);
    const tcpConnections = marked(tcpOther).map((port) => ({ port, state: tcpOther[port]! }));
    return { tcpListening: marked(tcpListen), udpListening: marked(udpListen), tcpConnections };
  }

  private scan(file: string, row: (port: number, state: number) => void, required = false): void {
    let n: number;
    try {
      n = this.fill(`${this.root}/${file}`);
    } catch (err) {
      if (required) throw err;
      return;
    }
    scanProcNetRows(this.buf, n, row);
  }

  /** The whole file into `buf` (grown as needed); its length. */
  private fill(path: string): number {
    const fd = openSync(path, 'r');
    try {
      let n = 0;
      for (;;) {
        if (n === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger);
          this.buf = bigger;
        }
        const read = readSync(fd, this.buf, n, this.buf.length - n, null);
        if (read === 0) return n;
        n += read;
      }
    } finally {
      closeSync(fd);
    }
  }
}
