export type Protocol = 'tcp' | 'udp';

export interface PortLease {
  host: string;
  protocol: Protocol;
  port: number;
  /** `instance` for a berth instance's port, `reservation` for a hand-made reservation. */
  ownerKind: 'instance' | 'reservation';
  /** Instance id, or a reservation label. */
  ownerId: string;
  /** Instance name (for "berth instance api-2"), or the reservation's note. */
  ownerName: string;
  /** The template's port name, for instance leases. */
  portName: string | null;
  createdAt: number;
}

/** Something other than a lease that holds a port on a host. */
export interface TakenPort {
  port: number;
  protocol: Protocol;
  /** Who, in words: "process nginx (pid 812)", "Docker container web-1". */
  usedBy: string;
  /**
   * `connection`: the local end of a TCP connection (e.g. a client's port in TIME-WAIT). No
   * listener can bind it, so berth never chooses it for a new lease; it does not make a port an
   * instance already holds a conflict, and it is not listed in the inventory.
   */
  kind: 'process' | 'container' | 'scan' | 'reserved' | 'service' | 'connection';
  /** For a process: its pid, so the owner of an instance's own port can be recognised. */
  pid?: number;
  /** Set when the holder is a berth workload (a labelled container): its own port is no conflict. */
  instanceId?: string;
}
