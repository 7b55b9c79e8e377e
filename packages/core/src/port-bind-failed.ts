import { Conflict, type PortConflict } from './errors.js';
import type { ResolvedPort } from './runtime.js';

/** One port a workload could not bind: the template's name for it, the host port, the protocol. */
export type FailedBind = Pick<ResolvedPort, 'name' | 'hostPort' | 'protocol'>;

/** Who holds a port when only the bind's failure is known. */
export const UNKNOWN_BINDER = 'a program that bound it first (address already in use)';

/**
 * A runtime could not bind a workload's ports: something took one between berth's look at the
 * machine and the bind. `ports` are the ones the runtime knows failed, or — `exact: false` — every
 * port it was asked to bind when its engine does not say which. It is the 409 `PORT_CONFLICT` a
 * client settles with a port override, so it carries the conflict list (the reconciler names the
 * holders and a free port through the ledger); ports berth chose are re-chosen instead.
 */
export class PortBindFailed extends Conflict {
  readonly ports: FailedBind[];
  readonly exact: boolean;

  constructor(
    message: string,
    options: { ports: FailedBind[]; exact: boolean; cause?: unknown; portConflicts?: PortConflict[] },
  ) {
    super(message, {
      cause: options.cause,
      code: 'PORT_CONFLICT',
      portConflicts: options.portConflicts ?? options.ports.map(unknownHolder),
    });
    this.ports = options.ports;
    this.exact = options.exact;
  }

  /** The same failure, its list replaced by `known` conflicts where they name the same port. */
  withConflicts(known: readonly PortConflict[]): PortBindFailed {
    const named = this.portConflicts.map(
      (c) => known.find((k) => k.name === c.name && k.port === c.port) ?? c,
    );
    return new PortBindFailed(this.message, {
      ports: this.ports,
      exact: this.exact,
      cause: this.cause,
      portConflicts: named,
    });
  }
}

function unknownHolder(p: FailedBind): PortConflict {
  return {
    name: p.name,
    envVar: null,
    port: p.hostPort,
    protocol: p.protocol,
    usedBy: UNKNOWN_BINDER,
    suggestedPort: null,
  };
}

/** How Node ("listen EADDRINUSE"), the kernel ("bind: address already in use") and dockerd ("port is already allocated") say it. */
const BIND_FAILED = /EADDRINUSE|address already in use|port is already allocated/i;

/**
 * The typed error for a runtime's failure text that says a bind failed, or undefined when it says
 * something else. Runtimes call it at their boundary, where only text is known (a workload's
 * stderr, an engine's message): the ports it names by number are the failed ones, or every port of
 * the workload when it names none.
 */
export function bindFailureIn(
  text: string,
  ports: readonly FailedBind[],
  options: { message?: string; cause?: unknown } = {},
): PortBindFailed | undefined {
  if (!BIND_FAILED.test(text)) return undefined;
  const named = ports.filter((p) => new RegExp(`(?<![\\d.])${p.hostPort}(?!\\d|\\.\\d)`).test(text));
  const exact = named.length > 0;
  return new PortBindFailed(options.message ?? text, {
    ports: (exact ? named : ports).map(({ name, hostPort, protocol }) => ({ name, hostPort, protocol })),
    exact,
    cause: options.cause,
  });
}
