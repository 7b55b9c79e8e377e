import type { PortLease } from './port-lease.js';

/** A lease as a mirror needs it: which port, by which protocol. */
export type MirroredLease = Pick<PortLease, 'protocol' | 'port'>;

/** The leases one committed change of the ledger wrote and dropped on the mirror's host. */
export interface LeaseChange {
  leased: MirroredLease[];
  released: MirroredLease[];
}

/**
 * A copy of berth's leases on one host kept outside the store — on Linux, the kernel's reserved
 * ports (`net.ipv4.ip_local_reserved_ports`), so an outgoing connection is never given a port berth
 * leased. The ledger tells it every committed change; it never throws back (a failure to update
 * the copy is its own to log: the lease stands either way).
 */
export interface LeaseMirror {
  /** The host whose leases it mirrors (`local`: this machine). */
  readonly host: string;
  /** Every lease held on the host now: told once, when the ledger starts mirroring. */
  reconcile(leases: readonly MirroredLease[]): void;
  /** What one committed change leased and released. */
  changed(change: LeaseChange): void;
}
