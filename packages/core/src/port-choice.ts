import { Conflict, type PortConflict } from './errors.js';
import type { Instance } from './instance.js';
import type { Protocol } from './port-lease.js';
import { describeLease, type PortLeases } from './port-leases.js';
import { intersectRanges, type PortRange, type PortView } from './port-view.js';
import type { PortSpec } from './template.js';

export interface ReservedRange {
  from: number;
  to: number;
  reason: string;
}

/**
 * Read at every choice, never copied: the server's port-range settings change `globalRange` and
 * `reserved` in place, and the next lease follows them without a restart.
 */
export interface LedgerConfig {
  globalRange: [number, number];
  reserved: ReservedRange[];
  /** Ports below 1024 are reserved unless this is set. */
  allowPrivileged: boolean;
}

export const defaultLedgerConfig: LedgerConfig = {
  globalRange: [20000, 40000],
  reserved: [],
  allowPrivileged: false,
};

const PRIVILEGED: ReservedRange = { from: 1, to: 1023, reason: 'privileged ports (below 1024)' };

/** The instance asking: its own lease is no conflict, nor (while it runs) its own process on it. */
export interface Asker {
  id: string;
  running: boolean;
}

/**
 * Who holds a port and which port berth offers instead: leases (by bitmap), reserved ranges and a
 * PortView of everything else on the host.
 */
export class PortChooser {
  constructor(
    private readonly leases: PortLeases,
    private readonly config: LedgerConfig,
  ) {}

  reservedReason(port: number): string | null {
    if (port <= PRIVILEGED.to && !this.config.allowPrivileged) return PRIVILEGED.reason;
    for (const r of this.config.reserved) if (port >= r.from && port <= r.to) return r.reason;
    return null;
  }

  /** Who holds the port, in words, or null when it is free for `self`. */
  holder(view: PortView, protocol: Protocol, port: number, self?: Asker): string | null {
    const lease = this.leases.find(view.host, protocol, port);
    if (lease && lease.ownerId !== self?.id) return describeLease(lease);
    if (lease && self?.running) return null; // our own port, and our own process holds it
    const reason = this.reservedReason(port);
    if (reason) return `reserved: ${reason}`;
    if (!view.allows(port)) return `outside ${view.host}'s port range ${rangeWords(view.range)}`;
    const t = view.at(protocol, port);
    if (t?.kind === 'connection') return null; // only avoided when choosing (isFree)
    return t && !(self && t.instanceId === self.id) ? t.usedBy : null;
  }

  /**
   * The pins an instance asks for that someone else holds, each with a free port instead: those it
   * does not have pinned already, and `check` (asked again by the conflict flow).
   */
  pinConflicts(
    view: PortView,
    instance: { id: string; portOverrides: Record<string, number> },
    specs: PortSpec[],
    pins: Record<string, number>,
    check?: string,
  ): PortConflict[] {
    const used = new Set(Object.values(pins));
    const out: PortConflict[] = [];
    for (const spec of specs) {
      const port = pins[spec.name];
      if (port === undefined || (spec.name !== check && port === instance.portOverrides[spec.name])) continue;
      const by = this.holder(view, spec.protocol, port, { id: instance.id, running: false });
      if (by) out.push(this.conflict(view, spec, port, by, used));
    }
    return out;
  }

  /** First free port in [from, to]; leases are skipped by the bitmap, other holders per port. */
  firstFree(view: PortView, protocol: Protocol, range: [number, number], exclude: Set<number>) {
    const free = (p: number) => !exclude.has(p) && !this.reservedReason(p) && !view.at(protocol, p);
    const bitmap = this.leases.bitmap(view.host, protocol);
    const [from, to] = intersectRanges(range, view.range) ?? [0, -1];
    return bitmap.firstClear(Math.max(1, from), Math.min(65535, to), free);
  }

  /**
   * A port berth chooses: counting up from the preferred port (or after `after`) to the end of the
   * template's range, then its start; then the global range the same way. On a host with a range
   * of its own (a cluster's NodePorts) that range is the law: it replaces the global range, and a
   * template's range that does not meet it is about another port space, so the host's range is used.
   */
  choose(view: PortView, spec: PortSpec, exclude: Set<number>, after?: number): number | null {
    const [gFrom, gTo] = view.range ?? this.config.globalRange;
    const [rFrom, rTo] = view.range
      ? (intersectRanges(rangeOf(spec), view.range) ?? view.range)
      : rangeOf(spec);
    const start = Math.max(after !== undefined ? after + 1 : (spec.preferred ?? rFrom), rFrom);
    const pick = (from: number, to: number) => this.firstFree(view, spec.protocol, [from, to], exclude);
    const inRange = rTo >= rFrom ? (pick(start, rTo) ?? pick(rFrom, start - 1)) : null;
    return inRange ?? pick(Math.max(gFrom, after !== undefined ? after + 1 : gFrom), gTo) ?? pick(gFrom, gTo);
  }

  /** The free port berth would offer instead of `port`. */
  suggest(view: PortView, spec: PortSpec, port: number, exclude = new Set<number>()): number | null {
    return this.choose(view, spec, new Set([...exclude, port]), port);
  }

  /** A conflict on `port`, with a suggestion that no other conflict of the same answer gets. */
  conflict(view: PortView, spec: PortSpec, port: number, usedBy: string, used: Set<number>): PortConflict {
    const suggestedPort = this.suggest(view, spec, port, used);
    if (suggestedPort !== null) used.add(suggestedPort);
    const { name, protocol } = spec;
    return { name, envVar: spec.env ?? null, port, protocol, usedBy, suggestedPort };
  }
}

/** `30000–32767`, for messages. */
export function rangeWords(range: PortRange | undefined): string {
  return range ? `${range[0]}–${range[1]}` : 'any';
}

/** The template's range, or the 1,000 ports from its preferred one, or none ([0, -1]). */
function rangeOf(spec: PortSpec): [number, number] {
  if (spec.range) return spec.range;
  return spec.preferred ? [spec.preferred, Math.min(65535, spec.preferred + 999)] : [0, -1];
}

export function exhausted(spec: PortSpec, host: string): Conflict {
  return new Conflict(`No free ${spec.protocol} port left for '${spec.name}' on ${host}`, {
    code: 'PORTS_EXHAUSTED',
  });
}

/**
 * The port an instance pins for a port of its template: its own override, else the template's
 * fixed port (a compose file's `"8080:80"`). Pinned ports are never re-chosen; a taken one is a
 * conflict the operator settles.
 */
export function pinOf(
  instance: Pick<Instance, 'portOverrides'>,
  spec: Pick<PortSpec, 'name' | 'fixed' | 'preferred'>,
): number | undefined {
  return instance.portOverrides[spec.name] ?? (spec.fixed ? spec.preferred : undefined);
}
