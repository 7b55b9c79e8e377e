// From the package, as the store's LeaseTaken is: the ledger must recognise the store's errors.
import {
  Conflict,
  defaultLedgerConfig,
  type LedgerConfig,
  PortLedger,
  type PortSource,
  type PortSpec,
  silentLogger,
  type TakenPort,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The ledger over berth's real SQLite store (in memory): its unique index is the final judge of
 * a race, and what one ledger leased another sees — as after a berth restart, or when two
 * writers share the database.
 */
let clock: ManualClock;
let store: SqliteStore;
let held: TakenPort[];
let reads: number;
const source: PortSource = {
  name: 'test',
  taken: async () => {
    reads++;
    return [...held];
  },
};

beforeEach(async () => {
  clock = new ManualClock();
  store = await memoryStore({ clock });
  held = [];
  reads = 0;
});
afterEach(() => store.close());

const ledger = (config: Partial<LedgerConfig> = {}) =>
  new PortLedger(store, [source], { ...defaultLedgerConfig, ...config }, clock, silentLogger);
const port = (name: string, extra: Partial<PortSpec> = {}) =>
  ({ name, protocol: 'tcp', ...extra }) as PortSpec;
const web = { ports: [port('http', { preferred: 23000, range: [23000, 23099] })] };
const owner = (id: string, portOverrides: Record<string, number> = {}) => ({ id, name: id, portOverrides });

function create(l: PortLedger, id: string, template = web, pins: Record<string, number> = {}) {
  return l.leaseForNew(template, { host: 'local', pins, record: () => owner(id, pins) });
}

describe('PortLedger on SQLite', () => {
  it('two creates at once never get the same port', async () => {
    const l = ledger();
    const [a, b] = await Promise.all([create(l, 'a'), create(l, 'b')]);
    expect(a.ports.http).not.toBe(b.ports.http);
    expect([a.ports.http, b.ports.http].sort()).toEqual([23000, 23001]);
  });

  it('two ledgers over one database: the unique index settles the race, the loser takes the next port', async () => {
    const first = ledger();
    const second = ledger();
    await create(second, 'warm'); // the second ledger's bitmap is built now, before the first leases
    const a = await create(first, 'a');
    const b = await create(second, 'b');
    expect(a.ports.http).toBe(23001);
    expect(b.ports.http).toBe(23002);
    expect(
      store.leases
        .listByHost('local')
        .map((l) => l.port)
        .sort(),
    ).toEqual([23000, 23001, 23002]);
  });

  it('an instance gets its old port back from a new ledger (a berth restart), even with lower ones free', async () => {
    const before = ledger();
    await create(before, 'a');
    await create(before, 'b');
    before.release('a');
    const after = ledger();
    expect((await after.reallocate(owner('b'), web, { host: 'local' })).ports.http).toBe(23001);
    expect((await create(after, 'c')).ports.http).toBe(23000);
  });

  it('a reserved range is skipped when choosing and named when pinned', async () => {
    const l = ledger({ reserved: [{ from: 23000, to: 23004, reason: 'the monitoring agent' }] });
    expect((await create(l, 'a')).ports.http).toBe(23005);
    const err = await create(l, 'b', web, { http: 23002 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).portConflicts).toMatchObject([
      { port: 23002, usedBy: 'reserved: the monitoring agent', suggestedPort: 23006 },
    ]);
  });

  it('a port reserved by hand holds against pins, naming the note', async () => {
    const l = ledger();
    await l.reserve('local', 23050, 'backup job');
    const err = (await create(l, 'a', web, { http: 23050 }).catch((e: unknown) => e)) as Conflict;
    expect(err.message).toContain('is in use by reserved by hand (backup job)');
    expect(store.leases.listByOwner('a')).toEqual([]);
  });

  it('a create hands its view to the first deploy: the sources are read once for both', async () => {
    const l = ledger();
    await l.leaseForNew(web, { host: 'local', pins: {}, record: () => owner('a'), handOff: true });
    expect(reads).toBe(1);
    await l.reallocate(owner('a'), web, { host: 'local' });
    expect(reads).toBe(1);
    await l.reallocate(owner('a'), web, { host: 'local' });
    expect(reads).toBe(2);
  });

  it('a handed view older than its bound is not used: a port taken meanwhile is seen before the bind', async () => {
    const l = ledger();
    await l.leaseForNew(web, { host: 'local', pins: {}, record: () => owner('a'), handOff: true });
    held.push({ port: 23000, protocol: 'tcp', usedBy: 'process late (pid 5)', kind: 'process' });
    await clock.advance(60_000);
    const got = await l.reallocate(owner('a'), web, { host: 'local' });
    expect(got.changed).toEqual([{ name: 'http', from: 23000, to: 23001, usedBy: 'process late (pid 5)' }]);
  });

  it('preflight of a running instance does not count its own workload; of a stopped one it does', async () => {
    const l = ledger();
    await create(l, 'a');
    held.push({ port: 23000, protocol: 'tcp', usedBy: 'process a', kind: 'process', instanceId: 'a' });
    expect(await l.preflight(owner('a'), web, { host: 'local', running: true })).toEqual({
      canStart: true,
      portConflicts: [],
    });
    held[0] = { port: 23000, protocol: 'tcp', usedBy: 'process intruder', kind: 'process' };
    const pre = await l.preflight(owner('a'), web, { host: 'local', running: false });
    expect(pre.portConflicts).toMatchObject([{ port: 23000, usedBy: 'process intruder', pinned: false }]);
    expect(pre.canStart).toBe(true);
  });

  it('udp and tcp are separate port spaces', async () => {
    const l = ledger();
    const dns = { ports: [port('dns', { protocol: 'udp', preferred: 23000 })] };
    expect((await create(l, 'a', dns)).ports).toEqual({ dns: 23000 });
    expect((await create(l, 'b')).ports).toEqual({ http: 23000 });
    held.push({ port: 23001, protocol: 'udp', usedBy: 'process dnsmasq', kind: 'process' });
    expect((await create(l, 'c')).ports).toEqual({ http: 23001 });
  });
});
