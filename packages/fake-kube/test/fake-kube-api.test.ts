import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKube } from '../src/index.js';

// The API layer only: nothing here makes a pod, so no Docker engine is needed.
let kube: FakeKube;
// biome-ignore lint/suspicious/noExplicitAny: the tests read the API's JSON answers loosely, by path.
type Loose = any;
const read = (res: Response): Promise<Loose> => res.json();
const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${kube.serverUrl}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

const deployment = (replicas: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1' }] },
    },
  },
});

beforeAll(async () => {
  // 32000–32767: the kubernetes package tests' NodePorts (test/port-blocks.ts), apart from the ports
  // the root kubernetes tests expect
  kube = await FakeKube.start({ nodePortRange: { from: 32000, to: 32767 } });
});
afterAll(async () => {
  await kube?.close();
});

describe('fake-kube API', () => {
  it('rejects a Deployment with a string in replicas with the API’s 422 Invalid Status', async () => {
    const res = await api('/apis/apps/v1/namespaces/default/deployments', {
      method: 'POST',
      json: deployment('three'),
    });
    expect(res.status).toBe(422);
    const status = await read(res);
    expect(status).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Invalid',
      code: 422,
      details: { name: 'web', group: 'apps', kind: 'Deployment' },
    });
    expect(status.details.causes).toEqual([
      {
        reason: 'FieldValueTypeInvalid',
        field: 'spec.replicas',
        message: 'Invalid value: "three": spec.replicas in body must be of type integer',
      },
    ]);
    expect((await api('/apis/apps/v1/namespaces/default/deployments/web')).status).toBe(404);
  });

  it('names a missing required field from the schema (a container without a name)', async () => {
    const body = deployment(1);
    delete (body.spec.template.spec.containers[0] as { name?: string }).name;
    const res = await api('/apis/apps/v1/namespaces/default/deployments', { method: 'POST', json: body });
    expect(res.status).toBe(422);
    expect((await read(res)).details.causes).toContainEqual({
      reason: 'FieldValueRequired',
      message: 'Required value',
      field: 'spec.template.spec.containers[0].name',
    });
  });

  it('allocates NodePorts in its range and refuses a taken one or one out of range with the real messages', async () => {
    const svc = (name: string, nodePort?: number) => ({
      metadata: { name },
      spec: { type: 'NodePort', ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
    });
    const first = await read(
      await api('/api/v1/namespaces/default/services', { method: 'POST', json: svc('a') }),
    );
    const port = first.spec.ports[0].nodePort;
    expect(port).toBeGreaterThanOrEqual(32000);
    expect(port).toBeLessThanOrEqual(32767);
    expect(first.spec.clusterIP).toMatch(/^10\.96\./);
    const clash = await api('/api/v1/namespaces/default/services', { method: 'POST', json: svc('b', port) });
    expect(clash.status).toBe(422);
    expect((await read(clash)).message).toBe(
      `Service "b" is invalid: spec.ports[0].nodePort: Invalid value: ${port}: provided port is already allocated`,
    );
    const out = await api('/api/v1/namespaces/default/services', { method: 'POST', json: svc('c', 8080) });
    expect((await read(out)).details.causes[0].message).toBe(
      'Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 32000-32767',
    );
    await api('/api/v1/namespaces/default/services/a', { method: 'DELETE' });
    expect(
      (await api('/api/v1/namespaces/default/services', { method: 'POST', json: svc('b', port) })).status,
    ).toBe(201);
    await api('/api/v1/namespaces/default/services/b', { method: 'DELETE' });
  });

  it('treats a nodePort a process on this machine listens on as allocated (the fake’s node is this host)', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '0.0.0.0', r));
    const port = (holder.address() as { port: number }).port;
    try {
      const wide = await FakeKube.start({ nodePortRange: { from: 1024, to: 65535 } });
      try {
        const res = await fetch(`${wide.serverUrl}/api/v1/namespaces/default/services`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            metadata: { name: 'x' },
            spec: { type: 'NodePort', ports: [{ port: 80, nodePort: port }] },
          }),
        });
        expect(res.status).toBe(422);
        expect((await read(res)).details.causes[0].field).toBe('spec.ports[0].nodePort');
      } finally {
        await wide.close();
      }
    } finally {
      holder.close();
    }
  });

  it('applies merge, strategic-merge and JSON patches by Content-Type, and refuses another', async () => {
    const secret = { metadata: { name: 's', labels: { a: '1', b: '2' } }, stringData: { k: 'v' } };
    const created = await read(
      await api('/api/v1/namespaces/default/secrets', { method: 'POST', json: secret }),
    );
    expect(created.data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(created.stringData).toBeUndefined();
    const merge = await api('/api/v1/namespaces/default/secrets/s', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      json: { metadata: { labels: { a: null, c: '3' } } },
    });
    expect((await read(merge)).metadata.labels).toEqual({ b: '2', c: '3' });
    const json = await api('/api/v1/namespaces/default/secrets/s', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      json: [{ op: 'replace', path: '/metadata/labels/b', value: '9' }],
    });
    expect((await read(json)).metadata.labels.b).toBe('9');
    const bad = await api('/api/v1/namespaces/default/secrets/s', {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      json: {},
    });
    expect(bad.status).toBe(415);
    await api('/api/v1/namespaces/default/secrets/s', { method: 'DELETE' });
  });

  it('streams a watch: ADDED for what exists, then MODIFIED and DELETED as they happen', async () => {
    await api('/api/v1/namespaces/default/secrets', {
      method: 'POST',
      json: { metadata: { name: 'w1', labels: { watch: 'me' } } },
    });
    const ac = new AbortController();
    const res = await fetch(
      `${kube.serverUrl}/api/v1/namespaces/default/secrets?watch=true&labelSelector=watch%3Dme`,
      { signal: ac.signal },
    );
    const reader = res.body!.getReader();
    const events: { type: string; object: { metadata: { name: string } } }[] = [];
    let buf = '';
    const readUntil = async (n: number) => {
      while (events.length < n) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += new TextDecoder().decode(value);
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) if (l) events.push(JSON.parse(l));
      }
    };
    await readUntil(1);
    await api('/api/v1/namespaces/default/secrets/w1', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      json: { stringData: { x: 'y' } },
    });
    await api('/api/v1/namespaces/default/secrets', {
      method: 'POST',
      json: { metadata: { name: 'not-watched' } },
    });
    await api('/api/v1/namespaces/default/secrets/w1', { method: 'DELETE' });
    await readUntil(3);
    ac.abort();
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w1'],
      ['MODIFIED', 'w1'],
      ['DELETED', 'w1'],
    ]);
  });

  it('answers discovery and /version as a 1.32 API server, and 404 Status for what does not exist', async () => {
    expect((await read(await api('/version'))).gitVersion).toBe('v1.32.0-fake-kube');
    const v1 = await read(await api('/api/v1'));
    expect(v1.resources.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['pods', 'pods/log', 'services', 'secrets', 'events', 'namespaces']),
    );
    const missing = await api('/api/v1/namespaces/nowhere/secrets', {
      method: 'POST',
      json: { metadata: { name: 'x' } },
    });
    expect(missing.status).toBe(404);
    expect((await read(missing)).message).toBe('namespaces "nowhere" not found');
  });
});
