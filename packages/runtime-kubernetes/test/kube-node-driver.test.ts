import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInput, type NodeRecord, silentLogger } from '@berth/core';
import { FakeKube } from '@berth/fake-kube';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesNodeDriver } from '../src/kubernetes-node-driver.js';

// The driver reaches the API server only (/version, lists): no pod is made, no Docker needed.
const driver = new KubernetesNodeDriver(silentLogger);
let fake: FakeKube;
let dir: string;
let kubeconfig: string;

const record = async (config: Record<string, unknown>): Promise<NodeRecord> => ({
  name: 'cluster',
  kind: 'kubernetes',
  host: 'cluster',
  config: await driver.parseConfig(config),
  createdAt: 0,
});

async function fieldOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInput);
    return (e as InvalidInput).details?.field as string;
  }
  return undefined;
}

beforeAll(async () => {
  fake = await FakeKube.start();
  dir = mkdtempSync(join(tmpdir(), 'berth-kube-driver-'));
  kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, fake.kubeconfig('team-a'));
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kubernetes NodeDriver', () => {
  it('parseConfig names the field that is wrong', async () => {
    writeFileSync(join(dir, 'garbage'), '{ not: [yaml');
    expect(await fieldOf(() => driver.parseConfig('x'))).toBe('config');
    expect(await fieldOf(() => driver.parseConfig({}))).toBe('kubeconfig');
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig: 'relative/config' }))).toBe('kubeconfig');
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig: join(dir, 'missing') }))).toBe('kubeconfig');
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig: join(dir, 'garbage') }))).toBe('kubeconfig');
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig, context: 'prod' }))).toBe('context');
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig, namespace: 'Not_A_Name' }))).toBe(
      'namespace',
    );
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig, nodePortRange: '32767-30000' }))).toBe(
      'nodePortRange',
    );
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig, endpoint: 'tcp://x' }))).toBe('endpoint');
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig, serviceType: 'LoadBalancer' }))).toBe(
      'serviceType',
    );
    expect(await fieldOf(() => driver.parseConfig({ kubeconfig, storageClass: 'Not A Class' }))).toBe(
      'storageClass',
    );
    await expect(driver.parseConfig({ kubeconfig, context: 'prod' })).rejects.toThrow(
      "context 'prod' is not in the kubeconfig (it has: fake-kube)",
    );
  });

  it('reads only a regular file of kubeconfig size, and never quotes the file in its error', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]); // reading it would block the server's one thread
    await expect(driver.parseConfig({ kubeconfig: fifo })).rejects.toThrow(/must be a regular file/);
    await expect(driver.parseConfig({ kubeconfig: '/dev/zero' })).rejects.toThrow(/must be a regular file/);
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 'a'));
    await expect(driver.parseConfig({ kubeconfig: big })).rejects.toThrow(/larger than 1 MiB/);
    const quoting = join(dir, 'quoting');
    writeFileSync(quoting, 'token: *LEAKED_ALIAS_VALUE\n');
    await expect(driver.parseConfig({ kubeconfig: quoting })).rejects.toThrow(/not a kubeconfig/);
    try {
      await driver.parseConfig({ kubeconfig: quoting });
    } catch (e) {
      expect((e as Error).message).not.toContain('LEAKED');
    }
  });

  it('parseConfig keeps what it was given, with the default NodePort range', async () => {
    expect(
      await driver.parseConfig({
        kubeconfig,
        context: 'fake-kube',
        namespace: 'team-b',
        nodePortRange: '31000-31999',
      }),
    ).toEqual({
      kubeconfig,
      context: 'fake-kube',
      namespace: 'team-b',
      nodePortRange: { from: 31000, to: 31999 },
      serviceType: 'NodePort',
    });
    expect((await driver.parseConfig({ kubeconfig })).nodePortRange).toEqual({ from: 30000, to: 32767 });
  });

  it('opens into a kubernetes runtime for image, build and command-with-image templates, on the context’s namespace, addressed at the API server’s host', async () => {
    const node = await driver.open(await record({ kubeconfig }));
    expect(node.runtimes.map((r) => [r.runtime.kind, r.sources])).toEqual([
      ['kubernetes', ['image', 'build', 'command']],
    ]);
    expect(node.address).toBe('127.0.0.1');
    expect((node.runtimes[0]!.runtime as unknown as { namespace: string }).namespace).toBe('team-a');
    const probe = await node.test(3_000);
    expect(probe).toMatchObject({
      ok: true,
      version: 'Kubernetes v1.32.0-fake-kube',
      details: { namespace: 'team-a', context: 'fake-kube' },
    });
    expect(await node.portSource?.taken('cluster')).toEqual([]);
    const other = await driver.open(
      await record({ kubeconfig, namespace: 'team-b', publicAddress: 'node1.example' }),
    );
    expect(other.address).toBe('node1.example');
  });

  it('with serviceType ClusterIP (any case) takes no NodePort space and reaches workloads through the API server', async () => {
    const config = await driver.parseConfig({ kubeconfig, serviceType: 'clusterip', storageClass: 'fast' });
    expect(config).toMatchObject({ serviceType: 'ClusterIP', storageClass: 'fast' });
    const node = await driver.open(await record({ kubeconfig, serviceType: 'ClusterIP' }));
    expect(node.portSource).toBeUndefined();
    expect(node.portRange).toBeUndefined();
    expect(node.gateway).toBeDefined();
    const nodePort = await driver.open(await record({ kubeconfig }));
    expect(nodePort.gateway).toBeUndefined();
    expect(nodePort.portRange).toEqual([30000, 32767]);
  });

  it('test() says refused when nothing answers at the API server’s address', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as { port: number }).port;
    await new Promise((r) => holder.close(r));
    const dead = join(dir, 'dead');
    writeFileSync(dead, fake.kubeconfig().replace(fake.serverUrl, `http://127.0.0.1:${port}`));
    const node = await driver.open(await record({ kubeconfig: dead }));
    expect(await node.test(3_000)).toMatchObject({ ok: false, reason: 'refused' });
  });
});

describe('kubernetes NodeDriver refusals', () => {
  it('says why a compose template cannot run on a cluster, and what to do', async () => {
    const node = await driver.open(await record({ kubeconfig }));
    expect(node.unsupported?.('compose')).toMatch(/run it on a Docker node/);
  });
});
