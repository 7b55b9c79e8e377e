import { describe, expect, it } from 'vitest';
import { HOST, ledgerWith, owner, port, TestSource } from '../test/port-fixtures.js';
import type { PortConflict } from './errors.js';
import { Conflict, StorageUnavailable } from './errors.js';

const web = { ports: [port('http', { preferred: 18000 })] };

/** Leases a new instance the way InstanceService.create does (the record is the owner itself). */
function create(
  ledger: ReturnType<typeof ledgerWith>['ledger'],
  id: string,
  template: { ports: ReturnType<typeof port>[] },
  extra: { pins?: Record<string, number>; deferPinned?: boolean; handOff?: boolean; host?: string } = {},
) {
  const pins = extra.pins ?? {};
  return ledger.leaseForNew(template, {
    host: extra.host ?? HOST,
    pins,
    record: () => owner(id, pins),
    ...(extra.deferPinned ? { deferPinned: true } : {}),
    ...(extra.handOff ? { handOff: true } : {}),
  });
}

async function conflictOf(p: Promise<unknown>): Promise<Conflict> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Conflict);
  return err as Conflict;
}

describe('PortLedger: allocation order', () => {
  it('takes the preferred port, counting up past taken ones', async () => {
    const src = new TestSource().hold(HOST, 18000);
    const { ledger } = ledgerWith({ sources: [src] });
    expect((await create(ledger, 'a', web)).ports).toEqual({ http: 18001 });
    expect((await create(ledger, 'b', web)).ports).toEqual({ http: 18002 });
  });

  it('wraps to the start of the template range, then falls back to the global range', async () => {
    const ranged = { ports: [port('http', { preferred: 18008, range: [18005, 18009] })] };
    const src = new TestSource().hold(HOST, 18009);
    const { ledger } = ledgerWith({ sources: [src], config: { globalRange: [25000, 25010] } });
    const got = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) got.push((await create(ledger, id, ranged)).ports.http);
    expect(got).toEqual([18008, 18005, 18006, 18007, 25000]);
  });

  it('without a preferred port or range, uses the global range in order', async () => {
    const { ledger } = ledgerWith({ config: { globalRange: [30000, 30002] } });
    const two = { ports: [port('a'), port('b')] };
    expect((await create(ledger, 'x', two)).ports).toEqual({ a: 30000, b: 30001 });
  });

  it('an override (pin) wins over the preferred port', async () => {
    const { ledger, store } = ledgerWith();
    expect((await create(ledger, 'a', web, { pins: { http: 18500 } })).ports).toEqual({ http: 18500 });
    expect(store.leases.find(HOST, 'tcp', 18500)?.ownerId).toBe('a');
  });

  it('says PORTS_EXHAUSTED when no port is left, and leases nothing', async () => {
    const { ledger, store } = ledgerWith({ config: { globalRange: [30000, 30000] } });
    await create(ledger, 'a', { ports: [port('a')] });
    const err = await conflictOf(create(ledger, 'b', { ports: [port('a')] }));
    expect(err.code).toBe('PORTS_EXHAUSTED');
    expect(err.message).toContain("No free tcp port left for 'a' on local");
    expect(store.leases.listByOwner('b')).toEqual([]);
  });

  it('never chooses a connection port, nor a reserved range, nor a privileged port', async () => {
    const src = new TestSource().hold(HOST, 18000, 'a client', { kind: 'connection' });
    const reserved = [{ from: 18001, to: 18002, reason: 'the VPN' }];
    const { ledger } = ledgerWith({ sources: [src], config: { reserved } });
    expect((await create(ledger, 'a', web)).ports).toEqual({ http: 18003 });
    const low = { ports: [port('http', { preferred: 80, range: [80, 81] })] };
    expect((await create(ledger, 'b', low)).ports.http).toBe(20000);
  });

  it('allowPrivileged lets a template take a port below 1024', async () => {
    const { ledger } = ledgerWith({ config: { allowPrivileged: true } });
    expect((await create(ledger, 'a', { ports: [port('http', { preferred: 80 })] })).ports.http).toBe(80);
  });
});

describe('PortLedger: stickiness', () => {
  it('a deploy keeps the ports the instance already leases', async () => {
    const { ledger, store } = ledgerWith();
    await create(ledger, 'a', web);
    const inserts = store.leases.inserts;
    const again = await ledger.reallocate(owner('a'), web, { host: HOST });
    expect(again).toEqual({ ports: { http: 18000 }, changed: [], deferred: [] });
    expect(store.leases.inserts).toBe(inserts);
  });

  it('a restart keeps its port even after a lower one frees up', async () => {
    const src = new TestSource().hold(HOST, 18000);
    const { ledger } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web);
    src.free(HOST, 18000);
    expect((await ledger.reallocate(owner('a'), web, { host: HOST })).ports.http).toBe(18001);
  });

  it('a chosen port someone else took is re-chosen and reported as moved', async () => {
    const src = new TestSource();
    const { ledger, store } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web);
    src.hold(HOST, 18000, 'process nginx (pid 7)');
    const got = await ledger.reallocate(owner('a'), web, { host: HOST });
    expect(got.ports.http).toBe(18001);
    expect(got.changed).toEqual([{ name: 'http', from: 18000, to: 18001, usedBy: 'process nginx (pid 7)' }]);
    expect(store.leases.find(HOST, 'tcp', 18000)).toBeUndefined();
    expect(store.leases.find(HOST, 'tcp', 18001)?.ownerId).toBe('a');
  });

  it("the instance's own running process on its port is no conflict", async () => {
    const src = new TestSource();
    const { ledger } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web);
    src.hold(HOST, 18000, 'docker container a', { kind: 'container', instanceId: 'a' });
    expect((await ledger.reallocate(owner('a'), web, { host: HOST, running: true })).changed).toEqual([]);
  });

  it('a port a deploy failed to bind (refused) is re-chosen though no probe sees a holder', async () => {
    const { ledger } = ledgerWith();
    await create(ledger, 'a', web);
    const refused = new Map([['http', 'another program']]);
    const got = await ledger.allocate(owner('a'), web, HOST, { refused });
    expect(got.changed).toEqual([{ name: 'http', from: 18000, to: 18001, usedBy: 'another program' }]);
  });
});

describe('PortLedger: pinned ports and conflicts', () => {
  it('a taken pin is a Conflict naming the holder, with a free suggestion, and nothing is written', async () => {
    const src = new TestSource('proc', { 18500: 'process redis (pid 9)' }).hold(HOST, 18500, 'a process');
    const { ledger, store } = ledgerWith({ sources: [src] });
    const err = await conflictOf(create(ledger, 'a', web, { pins: { http: 18500 } }));
    expect(err.message).toBe(
      'Cannot use the pinned ports of a: port 18500 (http) is in use by process redis (pid 9)',
    );
    expect(err.details?.portConflicts).toEqual([
      {
        name: 'http',
        envVar: null,
        port: 18500,
        protocol: 'tcp',
        usedBy: 'process redis (pid 9)',
        suggestedPort: 18501,
      },
    ] satisfies PortConflict[]);
    expect(store.leases.listAll()).toEqual([]);
  });

  it('names only the ports it must describe (the owner walk is slow)', async () => {
    const src = new TestSource('proc', {}).hold(HOST, 18500).hold(HOST, 18600);
    const { ledger } = ledgerWith({ sources: [src] });
    await conflictOf(create(ledger, 'a', web, { pins: { http: 18500 } }));
    expect(src.ownerCalls.map((c) => c.map((t) => t.port))).toEqual([[18500]]);
  });

  it("another instance's lease holds a pin; two pins of one instance on one port conflict", async () => {
    const { ledger } = ledgerWith();
    await create(ledger, 'a', web, { pins: { http: 18500 } });
    const err = await conflictOf(create(ledger, 'b', web, { pins: { http: 18500 } }));
    expect(err.message).toContain('is in use by berth instance a');
    const two = { ports: [port('a'), port('b')] };
    const same = await conflictOf(create(ledger, 'c', two, { pins: { a: 19000, b: 19000 } }));
    expect(same.message).toContain("port 19000 (b) is in use by this instance's port 'a'");
  });

  it("a template's fixed port is a pin: taken means conflict, never another port", async () => {
    const fixed = { ports: [port('http', { preferred: 19777, fixed: true })] };
    const src = new TestSource().hold(HOST, 19777, 'docker container old');
    const { ledger } = ledgerWith({ sources: [src] });
    const err = await conflictOf(create(ledger, 'a', fixed));
    expect(err.details?.portConflicts).toMatchObject([{ port: 19777, usedBy: 'docker container old' }]);
    src.free(HOST, 19777);
    expect((await create(ledger, 'a', fixed)).ports.http).toBe(19777);
  });

  it('deferPinned keeps a taken pin unleased and says who holds it; preflight names the holder', async () => {
    const src = new TestSource().hold(HOST, 18500, 'process old');
    const { ledger, store } = ledgerWith({ sources: [src] });
    const two = { ports: [port('http'), port('admin', { preferred: 18600 })] };
    const got = await create(ledger, 'a', two, { pins: { http: 18500 }, deferPinned: true });
    expect(got.ports).toEqual({ admin: 18600 });
    expect(got.deferred).toMatchObject([{ name: 'http', port: 18500, usedBy: 'process old' }]);
    expect(store.leases.listByOwner('a').map((l) => l.port)).toEqual([18600]);
    const pre = await ledger.preflight(got.instance, two, { host: HOST, running: false });
    expect(pre.canStart).toBe(false);
    expect(pre.portConflicts).toMatchObject([
      { name: 'http', port: 18500, usedBy: 'process old', pinned: true },
    ]);
  });

  it('preflight reports a taken chosen port without refusing the start', async () => {
    const src = new TestSource();
    const { ledger } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web);
    src.hold(HOST, 18000, 'process squatter');
    const pre = await ledger.preflight(owner('a'), web, HOST, false);
    expect(pre).toEqual({
      canStart: true,
      portConflicts: [
        {
          name: 'http',
          envVar: null,
          port: 18000,
          protocol: 'tcp',
          usedBy: 'process squatter',
          suggestedPort: 18001,
          pinned: false,
        },
      ],
    });
  });

  it('a reserved range makes a pin a conflict that says why', async () => {
    const { ledger } = ledgerWith({ config: { reserved: [{ from: 18500, to: 18509, reason: 'the VPN' }] } });
    const err = await conflictOf(create(ledger, 'a', web, { pins: { http: 18505 } }));
    expect(err.message).toContain('is in use by reserved: the VPN');
    expect(err.details?.portConflicts).toMatchObject([{ port: 18505, suggestedPort: 18510 }]);
  });
});

describe('PortLedger: pin (port-override)', () => {
  it('moves the lease to the pinned port and records the pins in the same transaction', async () => {
    const { ledger, store } = ledgerWith();
    await create(ledger, 'a', web);
    let recorded: Record<string, number> | undefined;
    const next = await ledger.pin(owner('a'), web, {
      host: HOST,
      pins: { http: 18700 },
      record: (pins) => {
        recorded = pins;
        return owner('a', pins);
      },
    });
    expect(recorded).toEqual({ http: 18700 });
    expect(next.portOverrides).toEqual({ http: 18700 });
    expect(store.leases.listByOwner('a').map((l) => l.port)).toEqual([18700]);
  });

  it('a taken port is refused naming its holder, and nothing changes', async () => {
    const src = new TestSource().hold(HOST, 18700, 'process x');
    const { ledger, store } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web);
    let called = false;
    const record = () => {
      called = true;
      return owner('a');
    };
    const opts = { host: HOST, pins: { http: 18700 }, record };
    const err = await conflictOf(ledger.pin(owner('a'), web, opts));
    expect(err.message).toBe('Port 18700 is in use by process x');
    expect(err.details?.portConflicts).toMatchObject([{ port: 18700, suggestedPort: 18701 }]);
    expect(called).toBe(false);
    expect(store.leases.listByOwner('a').map((l) => l.port)).toEqual([18000]);
  });
});

describe('PortLedger: concurrency', () => {
  it('many parallel creates get distinct ports', async () => {
    const { ledger, store } = ledgerWith();
    const all = await Promise.all(Array.from({ length: 100 }, (_, i) => create(ledger, `i${i}`, web)));
    const ports = all.map((a) => a.ports.http);
    expect(new Set(ports).size).toBe(100);
    expect(Math.min(...ports)).toBe(18000);
    expect(store.leases.listAll()).toHaveLength(100);
  });

  it('a port another writer leased behind the bitmap is a lost race: the transaction retries', async () => {
    const { ledger, store } = ledgerWith();
    await create(ledger, 'a', web); // the bitmap for the host is built now
    store.leases.insert({
      ...store.leases.find(HOST, 'tcp', 18000)!,
      port: 18001,
      ownerId: 'z',
      ownerName: 'z',
    });
    let records = 0;
    const got = await ledger.leaseForNew(web, {
      host: HOST,
      pins: {},
      record: () => {
        records++;
        return owner('b');
      },
    });
    expect(got.ports.http).toBe(18002);
    expect(records).toBe(2); // the first transaction was rolled back, record and all
  });

  it('a lost race inside a multi-port lease rolls back the ports already written, bitmap too', async () => {
    const { ledger, store } = ledgerWith({ config: { globalRange: [30000, 30010] } });
    await create(ledger, 'a', { ports: [port('x')] });
    store.leases.insert({
      ...store.leases.find(HOST, 'tcp', 30000)!,
      port: 30002,
      ownerId: 'z',
      ownerName: 'z',
    });
    const got = await create(ledger, 'b', { ports: [port('p'), port('q')] });
    expect(got.ports).toEqual({ p: 30001, q: 30003 });
    expect(
      store.leases
        .listByOwner('b')
        .map((l) => l.port)
        .sort(),
    ).toEqual([30001, 30003]);
  });

  it('a transaction the store could not commit makes the ledger read its leases again', async () => {
    const { ledger, store } = ledgerWith();
    await create(ledger, 'a', web);
    const failing = ledger.leaseForNew(web, {
      host: HOST,
      pins: {},
      record: () => {
        throw new StorageUnavailable('disk gone', { full: false });
      },
    });
    await expect(failing).rejects.toBeInstanceOf(StorageUnavailable);
    store.leases.deleteByOwner('a'); // changed behind the ledger's back; only a re-read sees it
    expect((await create(ledger, 'b', web)).ports.http).toBe(18000);
  });
});

describe('PortLedger: release, reservations, free, inventory', () => {
  it('release drops every lease and the ports are offered again', async () => {
    const { ledger, store } = ledgerWith();
    await create(ledger, 'a', { ports: [port('x', { preferred: 18000 }), port('y', { preferred: 18100 })] });
    ledger.release('a');
    expect(store.leases.listAll()).toEqual([]);
    expect((await create(ledger, 'b', web)).ports.http).toBe(18000);
  });

  it('reserve refuses a taken port and bad numbers; unreserve only drops reservations', async () => {
    const src = new TestSource().hold(HOST, 18100, 'process y');
    const { ledger } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web);
    await expect(ledger.reserve(HOST, 18100, 'mine')).rejects.toThrow(
      'Port 18100 on local is in use by process y',
    );
    await expect(ledger.reserve(HOST, 70000, '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await ledger.reserve(HOST, 18001, '')).toMatchObject({
      ownerKind: 'reservation',
      ownerName: 'reserved by hand',
    });
    expect((await create(ledger, 'b', web)).ports.http).toBe(18002);
    expect(() => ledger.unreserve(HOST, 18000)).toThrow('reservation');
    ledger.unreserve(HOST, 18001);
    expect((await create(ledger, 'c', web)).ports.http).toBe(18001);
  });

  it('free lists free ports by every source', async () => {
    const { ledger } = ledgerWith({ sources: [new TestSource().hold(HOST, 18001)] });
    await create(ledger, 'a', web);
    expect(await ledger.free(HOST, 3, 18000, 18005)).toEqual([18002, 18003, 18004]);
    expect(await ledger.free(HOST, 3, 18004, 18005)).toEqual([18004, 18005]);
  });

  it('inventory lists leases, reservations and other holders by port, naming only unexplained ones', async () => {
    const src = new TestSource('proc', { 18050: 'process nginx (pid 3)' })
      .hold(HOST, 18000, 'docker-proxy')
      .hold(HOST, 18050, '?')
      .hold(HOST, 18060, 'a client', { kind: 'connection' });
    const { ledger } = ledgerWith({ sources: [src] });
    await create(ledger, 'a', web, { pins: { http: 18001 } });
    await ledger.reserve(HOST, 18002, 'backup');
    src.free(HOST, 18000);
    src.hold(HOST, 18001, 'our own process');
    expect(await ledger.inventory(HOST)).toEqual([
      { port: 18001, protocol: 'tcp', ownerKind: 'instance', owner: 'berth instance a', instanceId: 'a' },
      {
        port: 18002,
        protocol: 'tcp',
        ownerKind: 'reservation',
        owner: 'reserved by hand (backup)',
        instanceId: null,
      },
      {
        port: 18050,
        protocol: 'tcp',
        ownerKind: 'process',
        owner: 'process nginx (pid 3)',
        instanceId: null,
      },
    ]);
    expect(src.ownerCalls.at(-1)?.map((t) => t.port)).toEqual([18050]);
  });

  it('a failing source is left out; the others still count', async () => {
    const bad = new TestSource('bad');
    bad.fail = new Error('socket table unreadable');
    const { ledger } = ledgerWith({ sources: [bad, new TestSource().hold(HOST, 18000)] });
    expect((await create(ledger, 'a', web)).ports.http).toBe(18001);
  });

  it('leases on one host do not hold ports on another', async () => {
    const { ledger } = ledgerWith();
    await create(ledger, 'a', web);
    expect((await create(ledger, 'b', web, { host: '10.0.0.5' })).ports.http).toBe(18000);
  });
});
