import { describe, expect, it } from 'vitest';
import { HOST, ledgerWith, owner, port, TestClock, TestSource } from '../test/port-fixtures.js';
import { silentLogger } from './logger.js';
import { HandOffs, PortView, PortViewReader } from './port-view.js';

const web = { ports: [port('http', { preferred: 18000 })] };
const newInstance = (id: string, handOff = true) => ({
  host: HOST,
  pins: {},
  record: () => owner(id),
  handOff,
});

describe('PortViewReader', () => {
  it('keeps the holder a person recognises when several sources report a port', async () => {
    const proc = new TestSource('proc').hold(HOST, 18000, 'docker-proxy (pid 4)').hold(HOST, 18001, 'node');
    const conns = new TestSource('conns').hold(HOST, 18001, 'a client', { kind: 'connection' });
    const docker = new TestSource('docker').hold(HOST, 18000, 'Docker container web-1', {
      kind: 'container',
    });
    const view = await new PortViewReader([proc, conns, docker], new TestClock(), silentLogger).read(HOST);
    expect(view.get('tcp/18000')?.usedBy).toBe('Docker container web-1');
    expect(view.at('tcp', 18001)?.usedBy).toBe('node');
    expect(view.sourceOf('tcp', 18000)).toBe(docker);
    expect(view.size).toBe(2);
    expect(view.has('udp/18000')).toBe(false);
  });

  it('records when it was read and for which host', async () => {
    const clock = new TestClock(42);
    const view = await new PortViewReader([], clock, silentLogger).read('10.0.0.5');
    expect([view.host, view.readAt]).toEqual(['10.0.0.5', 42]);
  });

  it('asks only the reporting source to name only the described ports, never a connection', async () => {
    const proc = new TestSource('proc', { 18000: 'process a (pid 1)', 18002: 'process c' })
      .hold(HOST, 18000, '?')
      .hold(HOST, 18001, '?')
      .hold(HOST, 18002, 'x', { kind: 'connection' });
    const reader = new PortViewReader([proc], new TestClock(), silentLogger);
    const view = await reader.read(HOST, [
      ['tcp', 18000],
      ['tcp', 18002],
      ['tcp', 18003],
    ]);
    expect(proc.ownerCalls.map((c) => c.map((t) => t.port))).toEqual([[18000]]);
    expect(view.at('tcp', 18000)?.usedBy).toBe('process a (pid 1)');
    expect(view.at('tcp', 18001)?.usedBy).toBe('?');
  });

  it('a source that fails to read or to name is logged and left out', async () => {
    const warned: string[] = [];
    const log = { ...silentLogger, warn: (_: object, msg?: string) => void warned.push(msg ?? '') };
    const bad = new TestSource('bad');
    bad.fail = new Error('nope');
    const naming = new TestSource('naming', {}).hold(HOST, 18000, 'kept words');
    Object.defineProperty(naming, 'owners', { value: async () => Promise.reject(new Error('no /proc')) });
    const view = await new PortViewReader([bad, naming], new TestClock(), log).read(HOST, [['tcp', 18000]]);
    expect(view.at('tcp', 18000)?.usedBy).toBe('kept words');
    expect(warned).toEqual(['port source failed; ignoring it', 'could not name the holders of ports']);
  });

  it('a source added later is asked too', async () => {
    const reader = new PortViewReader([], new TestClock(), silentLogger);
    reader.addSource(new TestSource().hold(HOST, 18000));
    expect((await reader.read(HOST)).has('tcp/18000')).toBe(true);
  });
});

describe('HandOffs', () => {
  const view = (host: string, at: number) => new PortView(host, at);

  it('gives a view once, to the same instance on the same host, while it is fresh enough', () => {
    const clock = new TestClock(0);
    const h = new HandOffs(clock, { maxAgeMs: 100, max: 8 });
    h.keep('a', view(HOST, 0));
    expect(h.take('a', 'elsewhere')).toBeUndefined();
    h.keep('a', view(HOST, 0));
    expect(h.take('a', HOST)).toBeDefined();
    expect(h.take('a', HOST)).toBeUndefined();
    h.keep('b', view(HOST, 0));
    clock.t = 101;
    expect(h.take('b', HOST)).toBeUndefined();
  });

  it('keeps at most `max` views, dropping the oldest', () => {
    const h = new HandOffs(new TestClock(0), { maxAgeMs: 100, max: 2 });
    for (const id of ['a', 'b', 'c']) h.keep(id, view(HOST, 0));
    expect(h.size).toBe(2);
    expect(h.take('a', HOST)).toBeUndefined();
    expect(h.take('c', HOST)).toBeDefined();
    h.drop('b');
    expect(h.size).toBe(0);
  });
});

describe('PortLedger: the hand-off from a create to its first deploy', () => {
  it('the first deploy uses the view its create read, however long the create took to get there', async () => {
    const src = new TestSource();
    const { ledger, clock } = ledgerWith({ sources: [src] });
    await ledger.leaseForNew(web, newInstance('a'));
    clock.t += 1_000; // a create that waited on its workspace and events on a busy machine
    await ledger.reallocate(owner('a'), web, { host: HOST });
    expect(src.reads).toBe(1);
    await ledger.reallocate(owner('a'), web, { host: HOST }); // a later start looks again
    expect(src.reads).toBe(2);
  });

  it('past the named age bound, or for a retry after a failed bind, the deploy reads the machine again', async () => {
    const src = new TestSource();
    const { ledger, clock } = ledgerWith({ sources: [src], handOff: { maxAgeMs: 500, max: 4 } });
    await ledger.leaseForNew(web, newInstance('a'));
    clock.t += 501;
    await ledger.reallocate(owner('a'), web, { host: HOST });
    expect(src.reads).toBe(2);
    await ledger.leaseForNew(web, newInstance('b'));
    await ledger.reallocate(owner('b'), web, { host: HOST, refused: new Map([['http', 'someone']]) });
    expect(src.reads).toBe(4);
  });

  it('a create that does not start hands nothing off; a released instance loses its view', async () => {
    const src = new TestSource();
    const { ledger } = ledgerWith({ sources: [src] });
    await ledger.leaseForNew(web, newInstance('a', false));
    await ledger.reallocate(owner('a'), web, { host: HOST });
    expect(src.reads).toBe(2);
    await ledger.leaseForNew(web, newInstance('b'));
    ledger.release('b');
    await ledger.reallocate(owner('b'), web, { host: HOST });
    expect(src.reads).toBe(4);
  });
});

describe('PortView.derive', () => {
  it("shares the base's ports; what the derived view forgets or names stays its own", async () => {
    const src = new TestSource().hold(HOST, 18000, 'a').hold(HOST, 18001, 'b');
    const base = await new PortViewReader([src], new TestClock(), silentLogger).read(HOST);
    const mine = base.derive();
    mine.forget('tcp', 18000);
    mine.name({ port: 18001, protocol: 'tcp', usedBy: 'named', kind: 'process' }, src);
    mine.offer({ port: 18002, protocol: 'tcp', usedBy: 'c', kind: 'process' }, src);
    expect([mine.has('tcp/18000'), mine.at('tcp', 18001)?.usedBy, mine.size]).toEqual([false, 'named', 2]);
    expect([...mine.entries()].map(([k]) => k).sort()).toEqual(['tcp/18001', 'tcp/18002']);
    expect(base.values().map((t) => t.usedBy)).toEqual(['a', 'b']);
    expect([mine.readAt, mine.host]).toEqual([base.readAt, base.host]);
  });
});

describe('PortLedger: a recent reading chooses the ports of new instances (ViewReuseOptions)', () => {
  const reuse = { maxAgeMs: 1_000 };

  it('creates within the bound share one reading, and concurrent ones one read under way', async () => {
    const src = new TestSource().hold(HOST, 18000);
    const { ledger, clock } = ledgerWith({ sources: [src], reuse });
    const first = await Promise.all(['a', 'b', 'c'].map((id) => ledger.leaseForNew(web, newInstance(id))));
    expect(first.map((a) => a.ports.http)).toEqual([18001, 18002, 18003]);
    clock.t += 1_000;
    await ledger.leaseForNew(web, newInstance('d'));
    expect(src.reads).toBe(1);
    clock.t += 1;
    await ledger.leaseForNew(web, newInstance('e'));
    expect(src.reads).toBe(2);
  });

  it('never for a pinned port, a preflight, a port check or a retry after a failed bind', async () => {
    const src = new TestSource();
    const { ledger } = ledgerWith({ sources: [src], reuse });
    await ledger.leaseForNew(web, newInstance('a', false));
    src.hold(HOST, 18500, 'someone');
    const pinned = {
      ...newInstance('b', false),
      pins: { http: 18500 },
      record: () => owner('b', { http: 18500 }),
    };
    await expect(ledger.leaseForNew(web, pinned)).rejects.toThrow(/18500 \(http\) is in use by someone/);
    expect(src.reads).toBe(2);
    src.hold(HOST, 18000, 'late');
    expect((await ledger.preflight(owner('a'), web, HOST)).portConflicts[0]?.usedBy).toBe('late');
    expect(await ledger.free(HOST, 1, 18000, 18000)).toEqual([]);
    await ledger.reallocate(owner('a'), web, { host: HOST, refused: new Map([['http', 'late']]) });
    expect(src.reads).toBe(5);
  });

  it('a port taken since the reading is found by the bind: the retry reads the machine and moves it', async () => {
    const src = new TestSource();
    const { ledger } = ledgerWith({ sources: [src], reuse });
    await ledger.leaseForNew(web, newInstance('a', false));
    src.hold(HOST, 18001, 'late');
    expect((await ledger.leaseForNew(web, newInstance('b', false))).ports.http).toBe(18001);
    const moved = await ledger.reallocate(owner('b'), web, {
      host: HOST,
      refused: new Map([['http', 'late']]),
    });
    expect(moved.ports.http).toBe(18002);
    expect(moved.changed).toEqual([{ name: 'http', from: 18001, to: 18002, usedBy: 'late' }]);
  });

  it('a deploy without pins may use the reading; with the default (0) every lease reads', async () => {
    const src = new TestSource();
    const { ledger } = ledgerWith({ sources: [src], reuse });
    await ledger.leaseForNew(web, newInstance('a', false));
    await ledger.reallocate(owner('a'), web, { host: HOST });
    expect(src.reads).toBe(1);
    const each = new TestSource();
    const plain = ledgerWith({ sources: [each] });
    await plain.ledger.leaseForNew(web, newInstance('a', false));
    await plain.ledger.leaseForNew(web, newInstance('b', false));
    expect(each.reads).toBe(2);
  });
});
