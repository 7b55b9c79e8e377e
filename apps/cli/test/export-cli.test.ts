import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

// Ports 24500–24549 belong to this file (nothing binds them: the instance is created stopped).
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const hello = {
  name: 'hello',
  source: {
    kind: 'command',
    command: 'busybox',
    args: ['httpd', '-f', '-p', '${PORT}'],
    image: 'berth-test/busybox',
  },
  ports: [{ name: 'http', env: 'PORT', preferred: 24500, range: [24500, 24549] }],
  config: { token: { env: 'TOKEN', secret: true, default: 'hunter2-cli' } },
};

let t: TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [hello] });
  env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_HOME: t.home, BERTH_TOKEN: '' };
});
afterAll(async () => {
  await t?.close();
});

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('berth node add --kind and berth export', () => {
  it('adds a kubernetes node from --kubeconfig/--context/--namespace and a swarm node from its endpoint', async () => {
    const kubeconfig = join(t.home, 'kubeconfig.yaml');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'ctx',
      }),
    );
    const k8s = await berth(
      'node',
      'add',
      'k8s',
      '--kind',
      'kubernetes',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'ctx',
      '--namespace',
      'team-b',
      '--force',
    );
    expect(k8s.stderr).toBe('');
    const swarm = await berth(
      'node',
      'add',
      'sw',
      'tcp://127.0.0.1:1',
      '--kind',
      'swarm',
      '--constraint',
      'node.role==worker',
      '--force',
    );
    expect(swarm.stderr).toBe('');
    const nodes = t.server.berth.store.nodes;
    expect(nodes.find('k8s')).toMatchObject({
      kind: 'kubernetes',
      config: { kubeconfig, context: 'ctx', namespace: 'team-b' },
    });
    expect(nodes.find('sw')).toMatchObject({
      kind: 'swarm',
      config: { endpoint: 'tcp://127.0.0.1:1', constraints: ['node.role==worker'] },
    });
    const missing = await berth('node', 'add', 'k2', '--kind', 'kubernetes');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/needs --kubeconfig/);
    // ClusterIP Services behind berth's proxy, and the storage class of persistent data claims.
    const cip = await berth(
      'node',
      'add',
      'kc',
      '--kind',
      'kubernetes',
      '--kubeconfig',
      kubeconfig,
      '--service-type',
      'clusterip',
      '--storage-class',
      'fast',
      '--force',
    );
    expect(cip.stderr).toBe('');
    expect(nodes.find('kc')?.config).toMatchObject({ serviceType: 'ClusterIP', storageClass: 'fast' });
    const wrong = await berth(
      'node',
      'add',
      'kw',
      '--kind',
      'kubernetes',
      '--kubeconfig',
      kubeconfig,
      '--service-type',
      'lb',
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/serviceType must be NodePort or ClusterIP/);
  });

  it('prints an instance as Kubernetes objects in the node namespace and a template as a stack', async () => {
    expect(
      (await t.api('POST', '/instances', { template: 'hello', name: 'h1', node: 'k8s', start: false }))
        .status,
    ).toBe(201);
    const kube = await berth('export', 'h1', '--format', 'kubernetes');
    expect(kube.code).toBe(0);
    const docs = parseAllDocuments(kube.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Service', 'Deployment']);
    expect(docs[2].metadata.namespace).toBe('team-b');
    expect(kube.stdout).not.toContain('hunter2');
    // inspect says where its data lives on the cluster
    const inspect = await berth('inspect', 'h1');
    expect(inspect.stdout).toContain('data: emptyDir (lost when the pod goes)');

    const stack = await berth('export', 'hello', '--format', 'swarm', '--node', 'sw');
    expect(stack.code).toBe(0);
    const svc = parse(stack.stdout).services.hello;
    expect(svc.deploy.placement.constraints).toEqual(['node.role==worker']);
    expect(svc.ports).toEqual([{ target: 24500, published: 24500, protocol: 'tcp', mode: 'host' }]);
    expect(stack.stdout).not.toContain('hunter2');
  });

  it('refuses an unknown format, listing the formats, and a name that is nothing', async () => {
    const bad = await berth('export', 'h1', '--format', 'helm');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/compose, swarm, kubernetes/);
    const none = await berth('export', 'nothing', '--format', 'compose');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/nothing/);
  });
});
