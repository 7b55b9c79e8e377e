import { join } from 'node:path';
import { validateTemplate, type Workspace } from '@berth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importServiceRegistry } from '../src/index.js';
import { type Harness, harness } from './harness.js';

const registry = {
  mem0_1: {
    template: 'mem0',
    container_name: 'mem0-abc123',
    container_id: 'abc123',
    port: 8765,
    instance_id: 'mem0_1',
    project_dir: '/srv/mem0/instances/mem0_1',
    status: 'running',
  },
  gowa_2: { template: 'gowa', container_name: 'gowa-2', port: '3001', status: 'stopped' },
  ghost: { template: 'unknown', container_name: 'ghost', port: 9000 },
};

describe('importServiceRegistry', () => {
  let h: Harness;
  let deps: Parameters<typeof importServiceRegistry>[0];

  beforeAll(async () => {
    h = await harness();
    for (const name of ['mem0', 'gowa']) {
      const template = validateTemplate({
        name,
        source: { kind: 'command', command: 'node', args: ['server.js'] },
        ports: [{ name: 'http', env: 'PORT', preferred: 8000 }],
      });
      h.store.templates.upsert({ template, origin: 'api', updatedAt: 1 });
    }
    const workspace: Workspace = {
      instanceDir: (t, i) => join(h.home, 'instances', t, i),
      logDir: (id) => join(h.home, 'logs', id),
      create: async () => {},
      remove: async () => {},
    };
    let n = 0;
    deps = {
      store: h.store,
      ledger: h.ledger,
      workspace,
      clock: { now: () => 5_000, sleep: async () => {} },
      newId: () => `imp-${++n}`,
    };
  });
  afterAll(() => h.close());

  it('turns entries into stopped instances that lease their old ports', () => {
    const result = importServiceRegistry(deps, registry);
    expect(result.imported).toEqual([
      { name: 'mem0-1', template: 'mem0', port: 8765 },
      { name: 'gowa-2', template: 'gowa', port: 3001 },
    ]);
    expect(result.skipped).toEqual([
      { name: 'ghost', reason: expect.stringContaining("template 'unknown'") },
    ]);
    expect(h.store.instances.findByName('mem0-1')).toMatchObject({
      template: 'mem0',
      node: 'local',
      desiredState: 'stopped',
      status: 'stopped',
      portOverrides: {},
      dataDir: join(h.home, 'instances', 'mem0', 'mem0-1'),
    });
    expect(h.store.leases.find('local', 'tcp', 8765)).toMatchObject({
      ownerName: 'mem0-1',
      portName: 'http',
    });
  });

  it("the ledger treats the imported ports as the instances' own", async () => {
    expect((await h.ledger.inventory('local')).map((r) => [r.port, r.owner])).toEqual([
      [3001, 'berth instance gowa-2'],
      [8765, 'berth instance mem0-1'],
    ]);
  });

  it('is idempotent, and takes an array too', () => {
    const before = { instances: h.store.instances.list(), leases: h.store.leases.listAll() };
    const again = importServiceRegistry(deps, Object.values(registry));
    expect(again.imported).toEqual([]);
    expect(h.store.instances.list()).toEqual(before.instances);
    expect(h.store.leases.listAll()).toEqual(before.leases);
  });

  it('refuses a file that is not a registry, naming the field', () => {
    expect(() => importServiceRegistry(deps, [{ template: 'mem0', port: 'x' }])).toThrow(/registry\.0\.port/);
  });
});
