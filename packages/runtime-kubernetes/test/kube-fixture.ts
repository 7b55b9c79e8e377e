import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeploySpec, silentLogger } from '@berth/core';
import { FakeKube, type FakeKubeOptions } from '@berth/fake-kube';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../src/kube-client.js';
import { KubernetesRuntime } from '../src/kubernetes-runtime.js';

export const NODE_IMAGE = 'berth-test/node:20';

/**
 * Answers 200 on PORT, says hello/warn at start, echoes ?say=… on stdout; IGNORE_TERM ignores
 * SIGTERM; CRASH exits at once with code 3; GET /crash makes it exit with 4, at once and at every restart.
 */
export const SERVER = `
const name = process.env.NAME;
if (process.env.CRASH) { console.error('crashing ' + name); process.exit(3); }
// Once told to crash it keeps crashing: the marker outlives the container in the pod's emptyDir.
if (require('fs').existsSync('/data/crashed')) process.exit(4);
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => {});
if (process.env.API_KEY) console.log('api key ' + process.env.API_KEY);
console.log('hello ' + name);
console.error('warn ' + name);
require('http').createServer((req, res) => {
  if (req.url === '/crash') { require('fs').writeFileSync('/data/crashed', '1'); process.exit(4); }
  const say = new URL(req.url, 'http://x').searchParams.get('say');
  if (say !== null) console.log(say);
  res.end('ok');
}).listen(Number(process.env.PORT));
`;

/** fake-kube needs the Docker engine and the test image; undefined with the reason printed otherwise (CI fails instead). */
export async function fakeKubeOrSkip(): Promise<string | undefined> {
  const why = await FakeKube.unavailable([NODE_IMAGE]);
  if (why && process.env.BERTH_REQUIRE_DOCKER === '1') throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${why}`);
  if (why) console.warn(`Skipping fake-kube tests: ${why}`);
  return why;
}

export interface KubeWorld {
  fake: FakeKube;
  client: KubeClient;
  runtime: KubernetesRuntime;
  kubeconfigPath: string;
  close(): Promise<void>;
}

/** A fake cluster, a kubeconfig file for it, and a runtime on its `default` namespace. */
export async function kubeWorld(opts: FakeKubeOptions = {}): Promise<KubeWorld> {
  const fake = await FakeKube.start({ backoffMs: 500, ...opts });
  const dir = mkdtempSync(join(tmpdir(), 'berth-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, fake.kubeconfig());
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const client = new KubeClient(config, 'default');
  const runtime = new KubernetesRuntime({ client, address: '127.0.0.1', log: silentLogger });
  return {
    fake,
    client,
    runtime,
    kubeconfigPath,
    close: async () => {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A deploy spec of the test server on `port` (a NodePort), with everything filled in. */
export function serverSpec(o: {
  instanceId: string;
  name: string;
  port: number;
  owner: string;
  env?: Record<string, string>;
  replicas?: number;
}): DeploySpec {
  return {
    instanceId: o.instanceId,
    instanceName: o.name,
    template: 'test',
    node: 'kube',
    owner: o.owner,
    dataDir: '/nonexistent',
    logDir: '/nonexistent',
    source: {
      kind: 'image',
      image: NODE_IMAGE,
      command: ['node', '-e', SERVER],
      volumes: [{ target: '/data', type: 'data', readOnly: false }],
      init: true,
    },
    command: [],
    cwd: '/',
    env: { NAME: o.name, PORT: '8080', ...o.env },
    ports: [{ name: 'http', hostPort: o.port, containerPort: 8080, protocol: 'tcp' }],
    labels: {},
    readiness: { kind: 'http', port: o.port, path: '/' },
    readinessTimeoutMs: 45_000,
    stopTimeoutMs: 5_000,
    resources: undefined,
    replicas: o.replicas ?? 1,
    templateDir: null,
  };
}
