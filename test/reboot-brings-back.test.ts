import type { Berth } from '@berth/server';
import { afterAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from './port-blocks.js';
import { get, helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

const [FROM, TO] = PORT_BLOCKS['test/reboot-brings-back'];

/**
 * What `berth startup` is for: after a machine reboots, every workload is gone and berth starts
 * again from its database. The instances meant to run come back on the ports they had; the one
 * stopped on purpose stays stopped.
 */
describe('a reboot: all workloads gone, berth starts again', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth | undefined;

  afterAll(async () => {
    if (berth) {
      for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
      await berth.close();
    }
    await env?.cleanup();
  });

  it('brings back every instance desired running, on its ports; a stopped one stays stopped', async () => {
    env = await tempHome('reboot');
    // Restart policy `never`: only the reboot brings these back, not the policy.
    const boot = `${helloTemplate('boot', FROM, { width: TO - FROM + 1 })}restart: { policy: never }\n`;
    await writeTemplate(env.templates, 'boot.yaml', boot);
    const before = await openBerth(env.home, env.templates);
    const one = await before.instances.create({ template: 'boot', name: 'boot-1' }, { wait: true });
    const two = await before.instances.create({ template: 'boot', name: 'boot-2' }, { wait: true });
    const off = await before.instances.create({ template: 'boot', name: 'boot-off' }, { wait: true });
    await before.instances.stop(off.id, { wait: true });
    const ports = new Map([one, two].map((i) => [i.name, before.instances.ports(i.id).http]));
    const workloads = (
      await Promise.all(before.runtimes.all().map(({ runtime }) => runtime.list(before.owner)))
    ).flat();
    const pids = workloads.flatMap((w) => (w.running && w.pid ? [w.pid] : []));
    expect(pids).toHaveLength(2);
    // The machine goes down: berth first (its shutdown policy leaves instances), then everything.
    await before.close();
    for (const pid of pids) process.kill(-pid, 'SIGKILL');
    await until('the workloads gone', () => pids.every((p) => !alive(p)) || undefined, 20_000);

    // This machine "booted" after the workloads started: what /proc/stat's btime says after a reboot.
    berth = await openBerth(env.home, env.templates, { hostBootedAt: Date.now() });
    const b = berth;
    await until(
      'boot-1 and boot-2 running again',
      () => ['boot-1', 'boot-2'].every((n) => b.instances.get(n).status === 'running') || undefined,
      60_000,
    ).catch((e: Error) => {
      const seen = b.instances
        .list()
        .map((i) => `${i.name}: ${i.status} ${i.desiredState} ${i.errorMessage}`);
      throw new Error(`${e.message}; ${seen.join('; ')}`);
    });
    for (const [name, port] of ports) {
      expect(b.instances.ports(b.instances.get(name).id).http, name).toBe(port);
      expect(await get(port as number)).toBe('hello');
    }
    expect(b.instances.get('boot-off')).toMatchObject({ status: 'stopped', desiredState: 'stopped' });
    expect(b.instances.get('boot-1').restartCount).toBe(0);
  }, 120_000);

  it('without a reboot, a workload gone while berth was down is a crash: policy never leaves it in error', async () => {
    const b = berth!;
    const seen = (await Promise.all(b.runtimes.all().map(({ runtime }) => runtime.list(b.owner)))).flat();
    const pid = seen.find((w) => w.instanceName === 'boot-1' && w.running)?.pid;
    expect(pid).toBeGreaterThan(0);
    await b.close();
    process.kill(-(pid as number), 'SIGKILL');
    await until('boot-1 gone', () => !alive(pid as number) || undefined, 20_000);
    berth = await openBerth(env.home, env.templates); // same boot: btime before the deploy
    const again = berth;
    await until(
      'boot-1 in error',
      () => again.instances.get('boot-1').status === 'error' || undefined,
      60_000,
    );
    expect(again.instances.get('boot-2').status).toBe('running');
  }, 120_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
