import type { LeaseChange, LeaseMirror } from './lease-mirror.js';
import { PortBitmap } from './port-bitmap.js';
import type { PortLease, Protocol } from './port-lease.js';
import type { Store } from './store.js';

/**
 * berth's own leases: the store holds them (unique on host+protocol+port), and an in-memory bitmap
 * per host and protocol mirrors them so choosing a port never scans every lease. A `LeaseMirror`
 * (the kernel's reserved ports) is told what a change wrote once it is committed.
 */
export class PortLeases {
  private readonly bitmaps = new Map<string, PortBitmap>();
  private mirror: LeaseMirror | undefined;
  private pending: LeaseChange = { leased: [], released: [] };

  constructor(private readonly store: Store) {}

  /** Tells `mirror` the leases on its host now, then every committed change there. */
  mirrorTo(mirror: LeaseMirror): void {
    mirror.reconcile(this.store.leases.listByHost(mirror.host));
    this.mirror = mirror;
  }

  /**
   * Runs `fn` (which writes leases), then tells the mirror what it wrote; a throw means the
   * transaction rolled back, so what it wrote is forgotten.
   */
  committed<T>(fn: () => T): T {
    this.pending = { leased: [], released: [] };
    try {
      const out = fn();
      const { leased, released } = this.pending;
      if (this.mirror && leased.length + released.length > 0) this.mirror.changed({ leased, released });
      return out;
    } finally {
      this.pending = { leased: [], released: [] };
    }
  }

  bitmap(host: string, protocol: Protocol): PortBitmap {
    const k = `${host}|${protocol}`;
    let bm = this.bitmaps.get(k);
    if (!bm) {
      bm = new PortBitmap();
      for (const l of this.store.leases.listByHost(host)) if (l.protocol === protocol) bm.add(l.port);
      this.bitmaps.set(k, bm);
    }
    return bm;
  }

  /** The lease on the port, looked up only when the bitmap says there is one. */
  find(host: string, protocol: Protocol, port: number): PortLease | undefined {
    return this.bitmap(host, protocol).has(port) ? this.store.leases.find(host, protocol, port) : undefined;
  }

  /** The instance's leases on `host`, by port name. */
  ofInstance(instanceId: string, host: string): Map<string, PortLease> {
    const out = new Map<string, PortLease>();
    for (const l of this.store.leases.listByOwner(instanceId))
      if (l.host === host && l.portName) out.set(l.portName, l);
    return out;
  }

  listByHost(host: string): PortLease[] {
    return this.store.leases.listByHost(host);
  }

  /** Throws LeaseTaken when someone else holds the port (the unique index is the final judge). */
  insert(lease: PortLease): void {
    this.store.leases.insert(lease);
    this.bitmap(lease.host, lease.protocol).add(lease.port);
    if (lease.host === this.mirror?.host) this.pending.leased.push(lease);
  }

  drop(lease: Pick<PortLease, 'host' | 'protocol' | 'port'>): void {
    this.store.leases.delete(lease.host, lease.protocol, lease.port);
    this.dropped(lease);
  }

  dropOwner(ownerId: string): void {
    for (const l of this.store.leases.deleteByOwner(ownerId)) this.dropped(l);
  }

  private dropped(lease: Pick<PortLease, 'host' | 'protocol' | 'port'>): void {
    this.bitmap(lease.host, lease.protocol).delete(lease.port);
    if (lease.host === this.mirror?.host) this.pending.released.push(lease);
  }

  /** Marks a port another writer leased between our look and our insert. */
  learn(host: string, protocol: Protocol, port: number): void {
    this.bitmap(host, protocol).add(port);
  }

  /** Forget the bitmaps (after the store changed behind our back, or a transaction rolled back). */
  invalidate(): void {
    this.bitmaps.clear();
  }
}

export function describeLease(l: PortLease): string {
  return l.ownerKind === 'instance' ? `berth instance ${l.ownerName}` : `reserved by hand (${l.ownerName})`;
}
