import { describe, expect, it } from 'vitest';
import { HOST, ledgerWith, owner, port } from '../test/port-fixtures.js';
import { StorageUnavailable } from './errors.js';
import type { LeaseChange, LeaseMirror, MirroredLease } from './lease-mirror.js';

/** What the ledger told a mirror, as `tcp/30001` lists. */
class RecordingMirror implements LeaseMirror {
  readonly host = HOST;
  reconciled: string[] = [];
  changes: { leased: string[]; released: string[] }[] = [];

  reconcile(leases: readonly MirroredLease[]): void {
    this.reconciled = leases.map(ref);
  }

  changed(change: LeaseChange): void {
    this.changes.push({ leased: change.leased.map(ref), released: change.released.map(ref) });
  }
}

const ref = (l: MirroredLease) => `${l.protocol}/${l.port}`;
const two = { ports: [port('p'), port('q')] };

function world() {
  const w = ledgerWith({ config: { globalRange: [30000, 30010] } });
  const mirror = new RecordingMirror();
  const create = (id: string, host = HOST) =>
    w.ledger.leaseForNew(two, { host, pins: {}, record: () => owner(id) });
  return { ...w, mirror, create };
}

describe('the ledger tells a LeaseMirror what it committed on the mirror’s host', () => {
  it('starts with the leases held there, then each change once', async () => {
    const { ledger, mirror, create } = world();
    await create('a');
    await create('elsewhere', 'box');
    ledger.mirrorTo(mirror);
    expect(mirror.reconciled).toEqual(['tcp/30000', 'tcp/30001']);
    await create('b');
    await create('far', 'box');
    ledger.release('a');
    expect(mirror.changes).toEqual([
      { leased: ['tcp/30002', 'tcp/30003'], released: [] },
      { leased: [], released: ['tcp/30000', 'tcp/30001'] },
    ]);
  });

  it('never tells the ports of a transaction that rolled back', async () => {
    const { ledger, store, mirror, create } = world();
    await create('a');
    ledger.mirrorTo(mirror);
    // Another writer holds 30003 behind the bitmap: b's first try writes 30002, loses on 30003.
    store.leases.insert({ ...store.leases.find(HOST, 'tcp', 30000)!, port: 30003, ownerId: 'z' });
    await create('b');
    // The store fails on c's second port: the first, written, is rolled back with it.
    const insert = store.leases.insert.bind(store.leases);
    store.leases.insert = (l) => {
      if (l.port === 30006) throw new StorageUnavailable('disk gone', { full: false });
      insert(l);
    };
    await expect(create('c')).rejects.toBeInstanceOf(StorageUnavailable);
    expect(store.leases.find(HOST, 'tcp', 30005)).toBeUndefined();
    expect(mirror.changes).toEqual([{ leased: ['tcp/30002', 'tcp/30004'], released: [] }]);
  });

  it('tells hand-made reservations and their release', async () => {
    const { ledger, mirror } = world();
    ledger.mirrorTo(mirror);
    await ledger.reserve(HOST, 30009, 'by hand');
    ledger.unreserve(HOST, 30009);
    expect(mirror.changes).toEqual([
      { leased: ['tcp/30009'], released: [] },
      { leased: [], released: ['tcp/30009'] },
    ]);
  });
});
