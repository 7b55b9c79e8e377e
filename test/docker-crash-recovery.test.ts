import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Berth } from '@berth/server';
import type Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, removeOwned } from './fixtures/docker-engine.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 11500–11599 belong to this file.
const child = fileURLToPath(new URL('./fixtures/crash-child.mjs', import.meta.url));

/** Takes 4 s to listen, so berth dies while every deploy waits for readiness. */
const SLOW = `name: slowc
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "sleep 4; mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, preferred: 11500, range: [11500, 11599] }
readiness: { kind: http, port: http, path: /, timeoutSeconds: 20 }
stopTimeoutSeconds: 2
`;

const docker = await dockerForTests([BUSYBOX]);

describe.skipIf(!docker)('berth killed with SIGKILL while 10 containers are deploying', () => {
  const d = docker as Dockerode;
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth | undefined;
  let ghost: Dockerode.Container | undefined;
  let foreign: Dockerode.Container | undefined;

  afterAll(async () => {
    if (berth) {
      await Promise.all(berth.instances.list().map((i) => berth!.instances.remove(i.id).catch(() => {})));
      await removeOwned(d, berth.owner);
      await berth.close();
    }
    await foreign?.remove({ force: true }).catch(() => {});
    await ghost?.remove({ force: true }).catch(() => {});
    await env?.cleanup();
  });

  it('adopts all on restart: no orphans, no duplicate ports; gc removes only a hand-made labelled container', async () => {
    env = await tempHome('docker-crash');
    await writeTemplate(env.templates, 'slowc.yaml', SLOW);
    const proc = spawn(process.execPath, [child], {
      env: {
        ...process.env,
        BERTH_HOME: env.home,
        BERTH_TEMPLATES: env.templates,
        COUNT: '10',
        TEMPLATE: 'slowc',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (b: Buffer) => b.toString().includes('deploying') && resolve());
      proc.once('exit', (code) => reject(new Error(`the berth child exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, 300)); // let some containers be created, some started
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));

    berth = await openBerth(env.home, env.templates);
    const b = berth;
    expect(b.instances.list()).toHaveLength(10);
    await until(
      'all 10 running',
      () => b.instances.list().every((i) => i.status === 'running') || undefined,
      60_000,
    );

    const workloads = (
      await Promise.all(b.runtimes.all().map(({ runtime }) => runtime.list(b.owner)))
    ).flat();
    expect(workloads).toHaveLength(10);
    expect(new Set(workloads.map((w) => w.instanceId)).size).toBe(10);
    expect(await b.reconciler.findOrphans()).toEqual([]);
    const ports = b.instances.list().map((i) => b.instances.ports(i.id).http!);
    expect(new Set(ports).size).toBe(10);
    for (const inst of b.instances.list()) {
      const dep = b.store.deployments.find(inst.currentDeploymentId!);
      expect(workloads.some((w) => w.handle.id === dep?.handle?.id)).toBe(true);
    }
    // Adopted containers that were still starting finish on their own: every port answers.
    const status = (p: number) =>
      fetch(`http://127.0.0.1:${p}/`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status,
        () => 0,
      );
    await until(
      'all 10 answer',
      async () => (await Promise.all(ports.map(status))).every((s) => s === 200) || undefined,
    );

    // A labelled container of this installation with no record is an orphan; an unlabelled one is not.
    ghost = await d.createContainer({
      name: `berth-ghost-${process.pid}`,
      Image: BUSYBOX,
      Cmd: ['sleep', '3600'],
      Labels: {
        'berth.managed': 'true',
        'berth.owner': b.owner,
        'berth.instance': 'ghost',
        'berth.instance-id': 'no-such-instance',
        'berth.template': 'slowc',
        'berth.node': 'local',
      },
      HostConfig: { Init: true },
    });
    await ghost.start();
    foreign = await d.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '3600'], HostConfig: { Init: true } });
    await foreign.start();

    const orphans = await b.reconciler.findOrphans();
    expect(orphans.map((o) => [o.handle.id, o.instanceName])).toEqual([[ghost.id, 'ghost']]);
    for (const o of orphans) await b.reconciler.removeOrphan(o);
    await expect(ghost.inspect()).rejects.toMatchObject({ statusCode: 404 });
    ghost = undefined;
    expect((await foreign.inspect()).State.Running).toBe(true);
    expect(await b.reconciler.findOrphans()).toEqual([]);
    expect(b.instances.list().every((i) => i.status === 'running')).toBe(true);
  }, 120_000);
});
