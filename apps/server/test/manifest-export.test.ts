import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadAllYaml } from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestServer, type TestServer } from './test-server.js';

// Ports 24450–24499 belong to this file (nothing here binds them: instances are created stopped).

/** One template for every node: busybox httpd on $PORT, as a process or in berth-test/busybox. */
const hello = {
  name: 'hello',
  source: {
    kind: 'command',
    command: 'busybox',
    args: ['httpd', '-f', '-p', '${PORT}', '-h', '/'],
    image: 'berth-test/busybox',
  },
  ports: [{ name: 'http', env: 'PORT', preferred: 24450, range: [24450, 24499] }],
  config: { token: { env: 'API_TOKEN', secret: true, default: 'hunter2-default' } },
  env: { AUTH: 'Bearer ${API_TOKEN}' },
  resources: { memoryMb: 32 },
};
/** The same on a runtime that scales (a process or a single container runs one: create refuses more). */
const pods = { ...hello, name: 'pods', replicas: 3 };
const native = { ...hello, name: 'native', source: { kind: 'command', command: 'busybox', args: ['true'] } };
const compose = { name: 'stack', source: { kind: 'compose', file: 'docker-compose.yml' } };
/** Its data in a claim on Kubernetes (an emptyDir otherwise). */
const kept = { ...hello, name: 'kept', data: { persistent: true, size: '512Mi' } };

let t: TestServer;

/**
 * The compose CLI's own schema check (docker-compose 1.29 reads the 2.4 and 3.8 formats): exits
 * non-zero naming what is wrong. `${NAME}` secrets are given, as an operator's .env would.
 */
async function composeConfig(text: string, file: string, vars: Record<string, string>): Promise<void> {
  const path = join(t.home, file);
  writeFileSync(path, text);
  await promisify(execFile)('docker-compose', ['-f', path, 'config', '-q'], {
    env: { ...process.env, ...vars },
  });
}

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [hello, pods, native, compose, kept] });
  // Nodes nothing answers for (kept with force): create decides from what they run, not from a call.
  const kubeconfig = join(t.home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'team-a' } }],
      'current-context': 'ctx',
    }),
  );
  const added = [
    { name: 'k8s', kind: 'kubernetes', config: { kubeconfig, namespace: 'team-a' }, force: true },
    { name: 'far', kind: 'docker', config: { endpoint: 'tcp://127.0.0.1:1' }, force: true },
    {
      name: 'kc',
      kind: 'kubernetes',
      config: { kubeconfig, serviceType: 'ClusterIP', storageClass: 'fast' },
      force: true,
    },
  ];
  for (const body of added) expect((await t.api('POST', '/nodes', body)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function manifest(path: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${t.apiUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${t.token}` } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('create refuses, with what to add, a template its node can never run', () => {
  it('a command template without image: on a container node names the fix', async () => {
    for (const node of ['k8s', 'far']) {
      const res = await t.api('POST', '/instances', { template: 'native', node, start: false });
      expect(res.status, node).toBe(400);
      expect(res.body.error.message).toMatch(
        new RegExp(
          `node ${node} runs containers .*add \`image:\` to template native's command source.*or create the instance on node local`,
        ),
      );
      expect(res.body.error.details).toMatchObject({ field: 'node', needs: 'source.image' });
    }
  });

  it('a compose template on a Kubernetes node says why', async () => {
    const res = await t.api('POST', '/instances', { template: 'stack', node: 'k8s', start: false });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /template stack cannot run on node k8s: a compose template cannot run on a Kubernetes node/,
    );
  });

  it('nothing was recorded for the refused creates; the same template with an image is accepted on each node', async () => {
    expect((await t.api('GET', '/instances')).body).toEqual([]);
    for (const [template, node] of [
      ['hello', 'local'],
      ['hello', 'far'],
      ['pods', 'k8s'],
    ]) {
      const res = await t.api('POST', '/instances', { template, name: `hello-${node}`, node, start: false });
      expect(res.status, `${node}: ${JSON.stringify(res.body)}`).toBe(201);
    }
  });
});

describe('GET /instances/:id/manifest (berth export)', () => {
  it('kubernetes: the runtime objects, valid by the real schemas, the Secret without its value', async () => {
    const res = await manifest('/instances/hello-k8s/manifest?format=kubernetes');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/yaml/);
    const docs = loadAllYaml(res.text) as { kind: string; metadata: { namespace: string } }[];
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Service', 'Deployment']);
    expect(docs.every((d) => d.metadata.namespace === 'team-a')).toBe(true);
    expect(() => new Secret(docs[0] as never).validate()).not.toThrow();
    expect(() => new Service(docs[1] as never).validate()).not.toThrow();
    expect(() => new Deployment(docs[2] as never).validate()).not.toThrow();
    const deployment = docs[2] as unknown as Deployment;
    expect(deployment.spec?.replicas).toBe(3);
    const c = deployment.spec?.template.spec?.containers[0];
    expect(c?.image).toBe('berth-test/busybox');
    expect(c?.command).toEqual(['busybox']);
    // On a Kubernetes node the instance's port is a NodePort (30000–32767), the template's range
    // being about another port space; the container listens on the same number.
    const port = (await t.api('GET', '/instances/hello-k8s')).body.ports.http;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    expect(c?.ports?.[0]?.containerPort).toBe(port);
    expect(c?.env?.find((e) => e.name === 'API_TOKEN')?.valueFrom?.secretKeyRef?.key).toBe('API_TOKEN');
    expect(res.text).not.toContain('hunter2');
  });

  it('kubernetes with data: { persistent: true }: the claim before the Deployment that mounts it; ClusterIP without nodePort', async () => {
    const res = await manifest('/templates/kept/manifest?format=kubernetes&node=kc');
    expect(res.status).toBe(200);
    const docs = loadAllYaml(res.text) as { kind: string; spec: Record<string, unknown> }[];
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'PersistentVolumeClaim', 'Service', 'Deployment']);
    expect(() => new PersistentVolumeClaim(docs[1] as never).validate()).not.toThrow();
    // No class in the template: the node's.
    expect(docs[1]?.spec).toMatchObject({
      storageClassName: 'fast',
      resources: { requests: { storage: '512Mi' } },
    });
    expect(docs[2]?.spec).toMatchObject({ type: 'ClusterIP' });
    expect(res.text).not.toContain('nodePort');
    const volumes = (docs[3] as unknown as Deployment).spec?.template.spec?.volumes;
    expect(volumes?.[0]?.persistentVolumeClaim?.claimName).toMatch(/^kept-[0-9a-f]{6}$/);
  });

  it('the instance detail says where the data lives on a Kubernetes node, and nothing elsewhere', async () => {
    const onKube = await t.api('POST', '/instances', {
      template: 'kept',
      name: 'kept-1',
      node: 'kc',
      start: false,
    });
    expect(onKube.status).toBe(201);
    expect(onKube.body.data).toMatchObject({
      kind: 'persistentVolumeClaim',
      size: '512Mi',
      storageClass: 'fast',
      summary: expect.stringMatching(/^PersistentVolumeClaim kept-1-[0-9a-f]{6} \(512Mi, class fast\)$/),
    });
    const plain = await t.api('POST', '/instances', {
      template: 'hello',
      name: 'plain-1',
      node: 'kc',
      start: false,
    });
    expect(plain.body.data).toMatchObject({ kind: 'emptyDir', summary: 'emptyDir (lost when the pod goes)' });
    expect((await t.api('GET', '/instances/hello-k8s')).body.data.kind).toBe('emptyDir');
    const far = (await t.api('GET', '/instances')).body.find((i: { node: string }) => i.node === 'far');
    expect(far?.data ?? null).toBeNull();
  });

  it('swarm: a stack file with replicas, limits, restart policy, host ports and external secrets', async () => {
    const res = await manifest('/instances/hello-k8s/manifest?format=swarm');
    expect(res.status).toBe(200);
    const svc = parse(res.text).services['hello-k8s'];
    expect(svc.deploy).toMatchObject({
      replicas: 3,
      resources: { limits: { memory: '32M' } },
      restart_policy: { condition: 'on-failure' },
    });
    const port = (await t.api('GET', '/instances/hello-k8s')).body.ports.http;
    expect(svc.ports).toEqual([{ target: port, published: port, protocol: 'tcp', mode: 'host' }]);
    expect(parse(res.text).secrets).toEqual({
      'berth-hello-k8s-api-token': { external: true },
      'berth-hello-k8s-auth': { external: true },
      'berth-hello-k8s-config-token': { external: true },
    });
    expect(svc.environment.API_TOKEN).toBeUndefined();
    expect(res.text).not.toContain('hunter2');
    await composeConfig(res.text, 'stack.yml', { API_TOKEN: 'x' });
  });

  it('compose: one host, the port published as itself, the secret referred to by name', async () => {
    const res = await manifest('/instances/hello-far/manifest?format=compose');
    expect(res.status).toBe(200);
    const svc = parse(res.text).services['hello-far'];
    expect(svc).toMatchObject({
      image: 'berth-test/busybox',
      entrypoint: ['busybox'],
      ports: ['24450:24450/tcp'],
    });
    expect(svc.command).toEqual(['httpd', '-f', '-p', '24450', '-h', '/']);
    expect(svc.environment).toMatchObject({ API_TOKEN: '${API_TOKEN}', AUTH: '${AUTH}' });
    expect(res.text).not.toContain('hunter2');
    await composeConfig(res.text, 'compose.yml', { API_TOKEN: 'x', AUTH: 'y', CONFIG_TOKEN: 'z' });
  });

  it('a template exports as a new instance of it would run: its preferred port, or inside a NodePort range', async () => {
    const res = await manifest('/templates/hello/manifest?format=kubernetes&node=k8s');
    expect(res.status).toBe(200);
    expect(res.text).toContain('nodePort: 30000');
    expect(res.text).not.toContain('nodePort: 24450');
    expect(res.text).not.toContain('hunter2');
    const local = await manifest('/templates/hello/manifest?format=compose');
    expect(local.status).toBe(200);
    expect(local.text).toContain('24450:24450/tcp');
  });

  it('an unknown format is a 400 listing the formats; a process-only template says what to add', async () => {
    const bad = await t.api('GET', '/instances/hello-local/manifest?format=helm');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/format.*compose, swarm, kubernetes/);
    const none = await t.api('GET', '/templates/native/manifest?format=compose');
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/add `image:` to its command source/);
    const gone = await t.api('GET', '/instances/hello-local/manifest?format=swarm&node=nowhere');
    expect(gone.status).toBe(400);
  });
});
