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
import { helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 40500–40999 of the namespace's engine, and 11900–11999 on this machine, belong to this file.
const nsName = `du${process.pid % 100000}`;
const suffix = 240 + (process.pid % 14);
const nsIp = `100.64.${suffix}.2`;
const link = `vbh-${nsName}`;

const local = await dockerForTests([BUSYBOX]);
const blocked = local ? await remoteNodeBlocker('unreachable node') : 'no Docker';

describe.skipIf(blocked !== undefined)('a remote node that goes away and comes back', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  const ids: Record<'running' | 'stopped' | 'here', string> = { running: '', stopped: '', here: '' };

  beforeAll(async () => {
    await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
    env = await tempHome('docker-unreachable');
    await writeTemplate(env.templates, 'uweb.yaml', serveTemplate('uweb', [40500, 40999]));
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 11900));
    berth = await openBerth(env.home, env.templates);
    await berth.nodes.add({ name: 'far', config: { endpoint: `tcp://${nsIp}:2375` } });
  }, 90_000);

  afterAll(async () => {
    await run('ip', ['link', 'set', link, 'up']).catch(() => {});
    if (berth) {
      for (const id of Object.values(ids)) if (id) await berth.instances.remove(id).catch(() => {});
      await berth.close();
    }
    await run(remoteDockerScript, ['down', nsName]).catch(() => {});
    await env?.cleanup();
  }, 60_000);

  it('has a running and a stopped instance there, and a running one here', async () => {
    ids.running = (
      await berth.instances.create({ template: 'uweb', name: 'up-there', node: 'far' }, { wait: true })
    ).id;
    ids.stopped = (
      await berth.instances.create({ template: 'uweb', name: 'off-there', node: 'far' }, { wait: true })
    ).id;
    await berth.instances.stop(ids.stopped, { wait: true });
    ids.here = (await berth.instances.create({ template: 'hello', name: 'here' }, { wait: true })).id;
    expect(Object.values(ids).map((id) => berth.instances.get(id).status)).toEqual([
      'running',
      'stopped',
      'running',
    ]);
  });

  it('cut off: every instance there — running or stopped — turns unreachable within 5 s, naming the node; here is untouched', async () => {
    const deployment = berth.instances.get(ids.running).currentDeploymentId;
    await run('ip', ['link', 'set', link, 'down']);
    const gone = await until(
      'both instances of node far unreachable',
      () => {
        const both = [ids.running, ids.stopped].map((id) => berth.instances.get(id));
        return both.every((i) => i.status === 'unreachable') ? both : undefined;
      },
      5_000,
    );
    for (const i of gone) expect(i.errorMessage).toMatch(/node far/);
    expect(berth.instances.get(ids.running).currentDeploymentId).toBe(deployment);
    expect(berth.instances.get(ids.here).status).toBe('running');
    const nodes = await berth.nodes.list();
    expect(nodes.map((n) => [n.record.name, n.status])).toEqual([
      ['local', 'ready'],
      ['far', 'unreachable'],
    ]);
  });

  it('back again: each returns to what it really is — the container that kept running is running, the stopped one stopped', async () => {
    const deployment = berth.instances.get(ids.running).currentDeploymentId;
    await run('ip', ['link', 'set', link, 'up']);
    const [running, stopped] = await until(
      'node far back',
      () => {
        const both = [ids.running, ids.stopped].map((id) => berth.instances.get(id));
        return both[0]!.status === 'running' && both[1]!.status === 'stopped' ? both : undefined;
      },
      20_000,
    );
    expect(running!.currentDeploymentId).toBe(deployment); // found running, not redeployed
    expect(running!.errorMessage).toBeNull();
    expect(stopped!.errorMessage).toBeNull();
    const port = berth.instances.ports(ids.running).http!;
    expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe('hi from up-there\n');
    const said = berth.store.events.list({ instanceId: ids.stopped }).map((e) => e.message);
    expect(said).toContain('node reachable again; not running');
  });
});
