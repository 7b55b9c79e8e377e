import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import {
  type LeaseChange,
  type LeaseMirror,
  type Logger,
  type MirroredLease,
  NotAllowed,
  userMessage,
} from '@berth/core';

/** The kernel's reserved ports: never given to an outgoing connection as its local port. */
export const RESERVED_PORTS_FILE = '/proc/sys/net/ipv4/ip_local_reserved_ports';

export interface SysctlLeaseMirrorOptions {
  /** The ledger's name for this machine (`local`). */
  host: string;
  /**
   * Where the ports berth itself added to the kernel's list are remembered across restarts
   * (BERTH_HOME/kernel-reserved-ports.json), so the operator's own entries are never removed.
   */
  stateFile: string;
  log: Logger;
  /** The sysctl file (RESERVED_PORTS_FILE). */
  file?: string;
  /** The user berth runs as (process.getuid()); the setting is for root only. */
  uid?: number | undefined;
}

/**
 * Keeps berth's leased ports on this machine in `net.ipv4.ip_local_reserved_ports` while they are
 * leased (BERTH_RESERVE_PORTS=1). Each change reads the kernel's list, adds the ports leased that
 * are missing and removes the ports released that berth added itself; a port the operator had
 * reserved is never removed, even after berth leased and released it.
 */
export class SysctlLeaseMirror implements LeaseMirror {
  readonly host: string;
  private readonly file: string;
  /** `tcp/20001`: the leases held now (a port stays reserved while either protocol holds it). */
  private readonly held = new Set<string>();
  /** The ports in the kernel's list that berth put there. */
  private added = new Set<number>();
  /** What the state file holds now, so an unchanged set is not written again. */
  private saved: string | undefined;

  private constructor(private readonly opts: SysctlLeaseMirrorOptions) {
    this.host = opts.host;
    this.file = opts.file ?? RESERVED_PORTS_FILE;
  }

  /** Refuses (NotAllowed) unless berth runs as root and the kernel's list can be written. */
  static open(opts: SysctlLeaseMirrorOptions): SysctlLeaseMirror {
    const mirror = new SysctlLeaseMirror(opts);
    const file = mirror.file;
    const uid = 'uid' in opts ? opts.uid : process.getuid?.();
    if (uid !== 0) {
      throw new NotAllowed(
        `BERTH_RESERVE_PORTS=1 needs root: berth runs as uid ${uid ?? 'unknown'} and cannot write ${file}; unset it, or run berth as root`,
      );
    }
    try {
      // Writing the list back unchanged is the one true test (a read-only /proc/sys refuses it).
      writeFileSync(file, formatPorts(mirror.readKernel()));
    } catch (err) {
      throw new NotAllowed(
        `BERTH_RESERVE_PORTS=1 needs ${file} writable: ${userMessage(err)}; unset it, or give berth a writable /proc/sys`,
        { cause: err },
      );
    }
    return mirror;
  }

  reconcile(leases: readonly MirroredLease[]): void {
    this.held.clear();
    for (const l of leases) this.held.add(key(l));
    this.guarded('reconcile', () => {
      const kernel = this.readKernel();
      const before = new Set([...this.readState()].filter((p) => kernel.has(p)));
      const operators = new Set([...kernel].filter((p) => !before.has(p)));
      const wanted = new Set(leases.map((l) => l.port));
      this.added = new Set([...wanted].filter((p) => !operators.has(p)));
      this.apply(kernel, new Set([...operators, ...wanted]), before);
    });
  }

  changed({ leased, released }: LeaseChange): void {
    for (const l of released) this.held.delete(key(l));
    for (const l of leased) this.held.add(key(l));
    this.guarded('update', () => {
      const kernel = this.readKernel();
      const next = new Set(kernel);
      const before = new Set(this.added);
      for (const { port } of released) {
        if (this.holds(port) || !this.added.has(port)) continue;
        next.delete(port);
        this.added.delete(port);
      }
      for (const { port } of leased) {
        if (next.has(port)) continue;
        next.add(port);
        this.added.add(port);
      }
      this.apply(kernel, next, before);
    });
  }

  /** Writes the kernel's list when it differs; the ports berth adds are remembered before they are written. */
  private apply(kernel: Set<number>, next: Set<number>, before: Set<number>): void {
    const same = kernel.size === next.size && [...next].every((p) => kernel.has(p));
    if (!same) {
      this.writeState(new Set([...before, ...this.added]));
      writeFileSync(this.file, formatPorts(next));
    }
    this.writeState(this.added);
  }

  private holds(port: number): boolean {
    return this.held.has(`tcp/${port}`) || this.held.has(`udp/${port}`);
  }

  private guarded(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.warn(
        { ns: 'ports', file: this.file, err: userMessage(err) },
        `Failed to ${what} the kernel's reserved ports: leased ports may be given to outgoing connections`,
      );
    }
  }

  /** The whole list in one read: the kernel answers only the first read of a large list. */
  private readKernel(): Set<number> {
    const fd = openSync(this.file, 'r');
    try {
      // At most 65,535 ports of six characters each: 400 KB holds any list.
      const buf = Buffer.alloc(400 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      return parsePorts(buf.subarray(0, n).toString('utf8'));
    } finally {
      closeSync(fd);
    }
  }

  private readState(): Set<number> {
    try {
      const ports: unknown = JSON.parse(readFileSync(this.opts.stateFile, 'utf8')).added;
      return new Set(Array.isArray(ports) ? ports.filter(isPort) : []);
    } catch {
      return new Set();
    }
  }

  private writeState(ports: Set<number>): void {
    const text = `${JSON.stringify({ added: [...ports].sort((a, b) => a - b) })}\n`;
    if (text === this.saved) return;
    const tmp = `${this.opts.stateFile}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.opts.stateFile);
    this.saved = text;
  }
}

const key = (l: MirroredLease) => `${l.protocol}/${l.port}`;
const isPort = (p: unknown): p is number =>
  Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

/** `1000,2000-2005` as the kernel writes it (empty: none). */
export function parsePorts(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    for (let p = from; p <= to && p <= 65535; p++) out.add(p);
  }
  return out;
}

/** Ports as the kernel reads them: sorted, runs of neighbours as ranges. */
export function formatPorts(ports: Iterable<number>): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}\n`;
}
