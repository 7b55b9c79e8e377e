import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { listen } from './support.js';

// The earlier system's service_registry.json, exactly as its design notes show it (numeric
// instance_id, a map keyed by container name); ports 26500–26599 (below the ephemeral range) are this file's.
const SEED_EXAMPLE = {
  buckets_instance_1: {
    template: 'buckets',
    container_name: 'buckets_instance_1',
    container_id: 'abc123...',
    port: 26510,
    instance_id: 1,
    project_dir: '../templates/buckets/instance_1',
    created_at: '2025-07-30T10:30:00',
    status: 'running',
  },
};

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [echoTemplate('buckets', [26500, 26599]), echoTemplate('mem0', [26500, 26599])],
  });
});
afterAll(() => t?.close());

describe('POST /import/service-registry', () => {
  it('imports the documented example through the same create as any instance: ledger, events, data dir', async () => {
    const res = await t.api('POST', '/import/service-registry', SEED_EXAMPLE);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      imported: [{ name: 'buckets-instance-1', template: 'buckets', port: 26510 }],
      skipped: [],
    });
    const inst = await t.api('GET', '/instances/buckets-instance-1');
    expect(inst.body).toMatchObject({
      status: 'stopped',
      ports: { http: 26510 },
      portOverrides: { http: 26510 },
    });
    const events = await t.api('GET', '/events?instance=buckets-instance-1');
    expect(JSON.stringify(events.body)).toContain('imported from service_registry.json (was running');
    const ports = await t.api('GET', '/ports');
    expect(JSON.stringify(ports.body)).toContain('26510');
    // It starts on its old port.
    const started = await t.api('POST', '/instances/buckets-instance-1/start?wait=1');
    expect(started.status).toBe(200);
    expect((await fetch('http://127.0.0.1:26510/')).status).toBe(200);
  });

  it('names the templates that exist when an entry names one berth does not know', async () => {
    const res = await t.api('POST', '/import/service-registry', [
      { template: 'ghost', port: 26520, instance_id: 2 },
    ]);
    expect(res.body.skipped).toEqual([
      {
        name: 'ghost-2',
        reason:
          "template 'ghost' is not known to berth (templates: buckets, mem0); add it, then import again",
      },
    ]);
  });

  it('keeps an entry whose old port is still held (the old container, say) and says who holds it', async () => {
    const held = await listen(0);
    const port = (held.address() as { port: number }).port;
    try {
      const res = await t.api('POST', '/import/service-registry', [
        { template: 'mem0', container_name: 'mem0-old', port, instance_id: 'mem0_1', status: 'running' },
      ]);
      expect(res.body.imported).toEqual([{ name: 'mem0-1', template: 'mem0', port }]);
      const pre = await t.api('GET', '/instances/mem0-1/preflight');
      expect(pre.body.canStart).toBe(false);
      expect(pre.body.portConflicts[0].usedBy).toMatch(/process/);
    } finally {
      held.close();
    }
  });

  it('is idempotent, and refuses a file that is not a registry naming the field', async () => {
    const again = await t.api('POST', '/import/service-registry', SEED_EXAMPLE);
    expect(again.body.imported).toEqual([]);
    expect(again.body.skipped[0].reason).toContain('exists already');
    const bad = await t.api('POST', '/import/service-registry', [{ template: 'mem0', port: 'x' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/registry\.0\.port/);
  });
});
