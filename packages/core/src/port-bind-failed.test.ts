import { describe, expect, it } from 'vitest';
import { Conflict, type PortConflict } from './errors.js';
import { bindFailureIn, PortBindFailed, UNKNOWN_BINDER } from './port-bind-failed.js';

const ports = [
  { name: 'http', hostPort: 18080, protocol: 'tcp' as const },
  { name: 'admin', hostPort: 18081, protocol: 'tcp' as const },
];

describe('bindFailureIn', () => {
  it("names the port Node's EADDRINUSE names", () => {
    const err = bindFailureIn('Error: listen EADDRINUSE: address already in use :::18081', ports);
    expect(err).toBeInstanceOf(PortBindFailed);
    expect(err?.ports).toEqual([ports[1]]);
    expect(err?.exact).toBe(true);
  });

  it("names the port dockerd's messages name", () => {
    const allocated = bindFailureIn(
      'driver failed programming external connectivity on endpoint x: Bind for 0.0.0.0:18080 failed: port is already allocated',
      ports,
    );
    expect(allocated?.ports).toEqual([ports[0]]);
    const proxy = bindFailureIn(
      'Error starting userland proxy: listen tcp4 0.0.0.0:18081: bind: address already in use',
      ports,
    );
    expect(proxy?.ports).toEqual([ports[1]]);
  });

  it('names every port, inexactly, when the text names none of them', () => {
    const err = bindFailureIn('bind: Address already in use', ports);
    expect(err?.ports).toEqual(ports);
    expect(err?.exact).toBe(false);
  });

  it('does not take a number inside an address or a longer number for the port', () => {
    const err = bindFailureIn('listen EADDRINUSE 10.18080.0.1 and 180800', ports);
    expect(err?.exact).toBe(false);
  });

  it('is undefined for any other failure', () => {
    expect(bindFailureIn('exited with code 1: Error: Cannot find module 18080', ports)).toBeUndefined();
  });

  it('is a 409 PORT_CONFLICT carrying the list, with its own message and cause', () => {
    const cause = new Error('engine said so');
    const err = bindFailureIn('EADDRINUSE 18080', ports, { message: 'api-1 could not bind', cause });
    expect(err).toBeInstanceOf(Conflict);
    expect(err?.kind).toBe('conflict');
    expect(err?.code).toBe('PORT_CONFLICT');
    expect(err?.message).toBe('api-1 could not bind');
    expect(err?.cause).toBe(cause);
    expect(err?.portConflicts).toEqual([
      {
        name: 'http',
        envVar: null,
        port: 18080,
        protocol: 'tcp',
        usedBy: UNKNOWN_BINDER,
        suggestedPort: null,
      },
    ]);
    expect(err?.details).toEqual({ portConflicts: err?.portConflicts });
  });
});

describe('PortBindFailed.withConflicts', () => {
  it('takes the known holder of the same port and keeps the rest', () => {
    const err = new PortBindFailed('two ports', { ports, exact: true });
    const known: PortConflict = {
      name: 'admin',
      envVar: 'ADMIN_PORT',
      port: 18081,
      protocol: 'tcp',
      usedBy: 'process nginx (pid 812)',
      suggestedPort: 18082,
    };
    const other: PortConflict = { ...known, name: 'http', port: 9999 };
    const named = err.withConflicts([known, other]);
    expect(named).toBeInstanceOf(PortBindFailed);
    expect(named.message).toBe('two ports');
    expect(named.ports).toEqual(ports);
    expect(named.portConflicts.map((c) => c.usedBy)).toEqual([UNKNOWN_BINDER, 'process nginx (pid 812)']);
    expect(named.portConflicts[1]?.suggestedPort).toBe(18082);
  });
});
