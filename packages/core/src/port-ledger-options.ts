import type { LeaseOwner } from './port-allocation.js';
import type { PortRef } from './port-view.js';

/* The options of the PortLedger's use cases, one interface each. */

export interface LeaseForNewOptions<T extends LeaseOwner> {
  host: string;
  /** The new instance's pinned ports (name → port). */
  pins: Record<string, number>;
  /** Writes the instance's record, inside the lease transaction (run again if a lease race is lost). */
  record: () => T;
  /** Keep a taken pin unleased instead of failing: the instance does not start now. */
  deferPinned?: boolean;
  /** Hand the view read here to the instance's first deploy (see `HandOffs`). */
  handOff?: boolean;
}

export interface PinOptions<T extends LeaseOwner> {
  host: string;
  /** Every pin the instance is to have: port name → port. */
  pins: Record<string, number>;
  /** A port checked even when it is pinned already (the conflict flow asks again). */
  check?: string;
  /** Writes the instance with its new pins, inside the lease transaction. */
  record: (pins: Record<string, number>) => T;
}

export interface ReallocateOptions {
  host: string;
  running?: boolean;
  /** Ports a deploy failed to bind, with who took them (see AllocationRequest.refused). */
  refused?: ReadonlyMap<string, string> | undefined;
  /** Ports a workload the instance takes over publishes: whoever the sources see on them is it. */
  adopted?: PortRef[];
}

export interface PreflightOptions {
  host: string;
  running: boolean;
}
