import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectDocker } from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, requireDocker } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 11800–11899 belong to this file.
const run = promisify(execFile);
const script = fileURLToPath(new URL('../scripts/remote-docker.sh', import.meta.url));
const nsName = `dn${process.pid % 100000}`;
// 100.64.150–169: this file's subnets (the table in scripts/remote-docker.sh).
const suffix = 150 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;

const SERVE = `name: rweb
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && echo \\"hi from $BERTH_INSTANCE\\" > /www/index.html && echo serving && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, preferred: 11800, range: [11800, 11899] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
`;

const local = await dockerForTests([BUSYBOX]);
const isRoot = process.getuid?.() === 0;
if (local && !isRoot) {
  if (requireDocker)
    throw new Error('BERTH_REQUIRE_DOCKER=1 but the remote node test needs root (network namespaces)');
  console.warn('Skipping the remote node test: it needs root for a network namespace');
}

async function copyImage(from: Dockerode, to: Dockerode, image: string): Promise<void> {
  const progress = await to.loadImage(await from.getImage(image).get());
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}

describe.skipIf(!local || !isRoot)('a remote Docker node (dockerd in a network namespace)', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let remoteId: string;
  let localId: string;

  beforeAll(async () => {
    const { stdout } = await run(script, ['up', nsName, String(suffix)]);
    expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
    await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
    env = await tempHome('docker-remote');
    await writeTemplate(env.templates, 'rweb.yaml', SERVE);
    berth = await openBerth(env.home, env.templates);
  }, 90_000);

  afterAll(async () => {
    await run(script, ['down', nsName]).catch(() => {});
    if (berth) {
      const l = berth.instances.list().find((i) => i.id === localId);
      if (l) await berth.instances.remove(l.id).catch(() => {});
      await berth.close();
    }
    await env?.cleanup();
  }, 60_000);

  it('is added, and its test reports the engine version and latency', async () => {
    await berth.nodes.add({ name: 'host-b', config: { endpoint: `tcp://${nsIp}:2375` } });
    const result = await berth.nodes.test('host-b');
    expect(result).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
    const nodes = await berth.nodes.list();
    expect(nodes.map((n) => [n.record.name, n.status])).toEqual([
      ['local', 'ready'],
      ['host-b', 'ready'],
    ]);
  });

  it('deploys there and here on the same port (two port spaces); list, logs and stop work there', async () => {
    const remote = await berth.instances.create({ template: 'rweb', name: 'far', node: 'host-b' });
    const here = await berth.instances.create({ template: 'rweb', name: 'near' });
    remoteId = remote.id;
    localId = here.id;
    for (const id of [remote.id, here.id]) {
      await until(`${id} running`, () => berth.instances.get(id).status === 'running' || undefined, 30_000);
    }
    const farPort = berth.instances.ports(remote.id).http!;
    expect(farPort).toBe(11800);
    expect(await (await fetch(`http://${nsIp}:${farPort}/`)).text()).toBe('hi from far\n');
    const nearPort = berth.instances.ports(here.id).http!;
    expect(await (await fetch(`http://127.0.0.1:${nearPort}/`)).text()).toBe('hi from near\n');

    const listed = await berth.runtimes.byKind('host-b', 'docker').list(berth.owner);
    expect(listed.map((w) => w.instanceName)).toEqual(['far']);
    const lines = await berth.logs.read(berth.instances.get(remote.id), { tail: 10 });
    expect(lines.map((l) => l.line)).toContain('serving');

    await berth.instances.stop(remote.id, { wait: true });
    expect(berth.instances.get(remote.id).status).toBe('stopped');
    await berth.instances.start(remote.id, { wait: true });
    expect(berth.instances.get(remote.id).status).toBe('running');
  });

  it('refuses to remove a node that has instances', () => {
    expect(() => berth.nodes.remove('host-b')).toThrow(/still has 1 instance \(far\)/);
  });

  it('cut off the network: its instances turn unreachable within 5 s, local ones are untouched', async () => {
    // The host vanishes from the network with its containers still running (a partition or a
    // power cut); afterAll's `down` stops its engine.
    await run('ip', ['link', 'del', `vbh-${nsName}`]);
    const started = Date.now();
    const far = await until(
      'far unreachable',
      () => {
        const i = berth.instances.get(remoteId);
        return i.status === 'unreachable' ? i : undefined;
      },
      5_000,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(far.errorMessage).toMatch(/node host-b/);
    const test = await berth.nodes.test('host-b', 3_000);
    expect(test.ok).toBe(false);
    if (!test.ok) expect(['unreachable', 'refused', 'timeout']).toContain(test.reason);
    expect(berth.instances.get(localId).status).toBe('running');
    const nearPort = berth.instances.ports(localId).http!;
    expect((await fetch(`http://127.0.0.1:${nearPort}/`)).status).toBe(200);
  });
});
