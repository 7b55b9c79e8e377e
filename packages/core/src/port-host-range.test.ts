import { describe, expect, it } from 'vitest';
import { ledgerWith, owner, port, TestSource } from '../test/port-fixtures.js';
import { InvalidInput } from './errors.js';
import { silentLogger } from './logger.js';
import type { NodeDriver } from './nodes/node-driver.js';
import { NodeRegistry } from './nodes/node-registry.js';
import type { PortRange, PortSource } from './port-view.js';

/** A cluster's port space: the NodePort range of a Kubernetes node (small, to count it out). */
const CLUSTER = 'kube';
const NODE_PORTS: PortRange = [30000, 30009];

/** A source that limits the cluster's host to NODE_PORTS, as the NodeRegistry does for a kubernetes node. */
function clusterSource(range: PortRange = NODE_PORTS): TestSource & PortSource {
  const src = new TestSource('cluster') as TestSource & PortSource;
  src.range = (host: string) => (host === CLUSTER ? range : undefined);
  return src;
}

function create(
  ledger: ReturnType<typeof ledgerWith>['ledger'],
  id: string,
  ports: ReturnType<typeof port>[],
  host = CLUSTER,
  pins: Record<string, number> = {},
) {
  return ledger.leaseForNew({ ports }, { host, pins, record: () => owner(id, pins) });
}

const outside = [port('http', { preferred: 24000, range: [24000, 24099] })];

describe('PortLedger on a host with a port range of its own (a cluster’s NodePorts)', () => {
  it('a template range that does not meet the host range: the host range wins, elsewhere the template’s', async () => {
    const { ledger } = ledgerWith({ sources: [clusterSource()], config: { globalRange: [20000, 20100] } });
    expect((await create(ledger, 'a', outside)).ports.http).toBe(30000);
    expect((await create(ledger, 'b', outside)).ports.http).toBe(30001);
    // The same template on a machine's host keeps its own range.
    expect((await create(ledger, 'c', outside, 'local')).ports.http).toBe(24000);
  });

  it('a template range that meets it is narrowed to the overlap, then the host range (not the global one) is used', async () => {
    const src = clusterSource().hold(CLUSTER, 30007);
    const { ledger } = ledgerWith({ sources: [src], config: { globalRange: [20000, 20100] } });
    const overlapping = [port('http', { preferred: 30006, range: [30006, 30500] })];
    const got: number[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) got.push((await create(ledger, id, overlapping)).ports.http!);
    // 30006, then 30008–30009 (30007 is held), then the rest of the host's range from its start.
    expect(got).toEqual([30006, 30008, 30009, 30000, 30001]);
  });

  it('runs out inside the host range instead of leaving it', async () => {
    const { ledger } = ledgerWith({
      sources: [clusterSource([30000, 30001])],
      config: { globalRange: [20000, 20100] },
    });
    await create(ledger, 'a', outside);
    await create(ledger, 'b', outside);
    await expect(create(ledger, 'c', outside)).rejects.toMatchObject({ code: 'PORTS_EXHAUSTED' });
  });

  it('refuses a pin outside the host range as bad input naming the port and both ranges', async () => {
    const { ledger, store } = ledgerWith({ sources: [clusterSource()] });
    const err = await create(ledger, 'a', outside, CLUSTER, { http: 24010 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as InvalidInput).message).toBe(
      "port 24010 ('http') is outside the ports kube can publish (30000–30009); the template's range is 24000–24099",
    );
    expect((err as InvalidInput).details).toMatchObject({
      field: 'ports.http',
      port: 24010,
      hostRange: [30000, 30009],
      templateRange: [24000, 24099],
    });
    expect(store.leases.listByOwner('a')).toEqual([]);
    // A pin inside it is taken as it is.
    expect((await create(ledger, 'b', outside, CLUSTER, { http: 30005 })).ports.http).toBe(30005);
  });

  it('moves a sticky lease the host can no longer be given (leased before the range was known)', async () => {
    const src = clusterSource();
    const { ledger } = ledgerWith({ sources: [src] });
    const before = src.range;
    src.range = () => undefined;
    expect((await create(ledger, 'a', outside)).ports.http).toBe(24000);
    src.range = before;
    const again = await ledger.reallocate(owner('a'), { ports: outside }, { host: CLUSTER });
    expect(again.ports.http).toBe(30000);
    expect(again.changed).toEqual([
      { name: 'http', from: 24000, to: 30000, usedBy: "outside kube's port range 30000–30009" },
    ]);
  });
});

describe('NodeRegistry.range', () => {
  const driver = (kind: 'kubernetes' | 'docker', portRange?: PortRange): NodeDriver => ({
    kind,
    parseConfig: (c) => c as Record<string, unknown>,
    open: async () => ({
      runtimes: [],
      address: '127.0.0.1',
      test: async () => ({ ok: true, version: 'x', latencyMs: 0 }),
      close: () => {},
      ...(portRange ? { portRange } : {}),
    }),
  });
  const hooks = { updateConfig: () => {} };
  const record = (name: string, kind: 'kubernetes' | 'docker', host: string) => ({
    name,
    kind,
    host,
    config: {},
    createdAt: 0,
  });

  it('is the range the drivers of the host’s opened nodes give, and nothing for other hosts', async () => {
    const registry = new NodeRegistry(silentLogger)
      .register(driver('kubernetes', [30000, 32767]))
      .register(driver('docker'));
    await registry.open(record('k', 'kubernetes', 'k'), hooks);
    await registry.open(record('d', 'docker', 'd'), hooks);
    expect(registry.range('k')).toEqual([30000, 32767]);
    expect(registry.range('d')).toBeUndefined();
    registry.close('k');
    expect(registry.range('k')).toBeUndefined();
  });
});
