import { readFile } from 'node:fs/promises';
import { connectDocker } from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests } from './fixtures/docker-engine.js';
import {
  copyImage,
  remoteDockerScript,
  remoteNodeBlocker,
  run,
  serveTemplate,
} from './fixtures/remote-docker.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Issue 19 §10: a Docker engine that restarts must not spend an instance's restart budget, nor
// get deployed into while it shuts down. Ports 40000–40499 of the namespace's engine belong to this file.
const nsName = `er${process.pid % 100000}`;
// 100–139: no other remote-node test uses these subnets.
const suffix = 100 + (process.pid % 40);
const nsIp = `100.64.${suffix}.2`;
const pidFile = `/run/brd-${nsName}.pid`;

const local = await dockerForTests([BUSYBOX]);
const blocked = local ? await remoteNodeBlocker('engine restart') : 'no Docker';

describe.skipIf(blocked !== undefined)('a remote engine that restarts', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let id = '';

  beforeAll(async () => {
    await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
    env = await tempHome('engine-restart');
    const template = serveTemplate('eweb', [40000, 40499]).replace(
      'stopTimeoutSeconds: 2',
      'stopTimeoutSeconds: 2\nrestart: { policy: always, maxRetries: 2, backoffSeconds: 1 }',
    );
    await writeTemplate(env.templates, 'eweb.yaml', template);
    berth = await openBerth(env.home, env.templates);
    await berth.nodes.add({ name: 'far', config: { endpoint: `tcp://${nsIp}:2375` } });
    id = (await berth.instances.create({ template: 'eweb', name: 'e1', node: 'far' }, { wait: true })).id;
  }, 120_000);

  afterAll(async () => {
    await run(remoteDockerScript, ['up', nsName, String(suffix)]).catch(() => {});
    if (berth) {
      if (id) await berth.instances.remove(id).catch(() => {});
      await berth.close();
    }
    await run(remoteDockerScript, ['down', nsName]).catch(() => {});
    await env?.cleanup();
  }, 90_000);

  it('engine stopped (SIGTERM): no restart attempt spent, no deploy into it, one step to unreachable; back: running again', async () => {
    expect(berth.instances.get(id).status).toBe('running');
    const since = Date.now();
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    await until('dockerd gone', async () => !(await readFile(`/proc/${pid}/comm`).catch(() => null)), 60_000);
    await until('instance unreachable', () => berth.instances.get(id).status === 'unreachable', 10_000);
    // A few ticks with the engine gone.
    await new Promise((r) => setTimeout(r, 3_000));
    const during = berth.store.events.list({ instanceId: id }).filter((e) => e.ts >= since);
    const statuses = during
      .filter((e) => e.type === 'instance.status')
      .map((e) => (e.data as { to: string }).to);
    expect(during.filter((e) => e.type === 'instance.restart')).toEqual([]);
    expect(statuses).toEqual(['unreachable']);
    expect(berth.instances.get(id).restartCount).toBe(0);

    await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    const back = await until(
      'instance running again',
      () => {
        const i = berth.instances.get(id);
        return i.status === 'running' ? i : undefined;
      },
      60_000,
    );
    expect(back.restartCount).toBe(0);
    const port = berth.instances.ports(id).http!;
    expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe('hi from e1\n');
    const all = berth.store.events.list({ instanceId: id }).filter((e) => e.ts >= since);
    expect(all.filter((e) => e.type === 'instance.restart')).toEqual([]);
    const afterwards = all
      .filter((e) => e.type === 'instance.status')
      .map((e) => (e.data as { to: string }).to);
    expect(afterwards).toEqual(['unreachable', 'deploying', 'running']);
  });
});
