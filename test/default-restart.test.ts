import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from './port-blocks.js';
import { get, helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

const [FROM] = PORT_BLOCKS['test/default-restart'];

/**
 * Issue 16 §6: a template without a `restart` block restarts a crashed long-running service
 * (on-failure, capped backoff) instead of leaving it in error; `restart: { policy: never }` still
 * leaves it there. Real processes, killed for real.
 */
describe('the restart policy of a template that names none', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('default-restart');
    await writeTemplate(env.templates, 'plain.yaml', helloTemplate('plain', FROM, { width: 10 }));
    const never = `${helloTemplate('never', FROM + 10, { width: 10 })}restart: { policy: never }\n`;
    await writeTemplate(env.templates, 'never.yaml', never);
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    for (const i of berth?.instances.list() ?? []) await berth.instances.remove(i.id).catch(() => undefined);
    await berth?.close();
    await env?.cleanup();
  });

  const pidOf = (name: string) => {
    const i = berth.instances.get(name);
    return Number(berth.store.deployments.find(i.currentDeploymentId!)!.handle!.id);
  };

  it('comes back after a crash: a new process on the same port, one restart counted', async () => {
    expect(berth.templates.get('plain').template.restart).toBeUndefined();
    const inst = await berth.instances.create({ template: 'plain', name: 'plain-1' }, { wait: true });
    const port = berth.instances.ports(inst.id).http!;
    const first = pidOf('plain-1');
    process.kill(-first, 'SIGKILL');
    const back = await until(
      'plain-1 restarted',
      () => {
        const i = berth.instances.get('plain-1');
        return i.status === 'running' && pidOf('plain-1') !== first ? i : undefined;
      },
      30_000,
    );
    expect(back.restartCount).toBe(1);
    expect(await get(port)).toBe('hello');
    const restarts = berth.store.events
      .list({ instanceId: inst.id })
      .filter((e) => e.type === 'instance.restart');
    expect(restarts[0]?.message).toMatch(/restarting in 1s \(attempt 1 of 5\)/);
  });

  it('stays in error when the template says never', async () => {
    const inst = await berth.instances.create({ template: 'never', name: 'never-1' }, { wait: true });
    process.kill(-pidOf('never-1'), 'SIGKILL');
    const failed = await until('never-1 in error', () => {
      const i = berth.instances.get('never-1');
      return i.status === 'error' ? i : undefined;
    });
    expect(failed.errorMessage).toMatch(/the restart policy is never/);
    expect(failed.restartCount).toBe(0);
    expect(berth.store.events.list({ instanceId: inst.id }).some((e) => e.type === 'instance.restart')).toBe(
      false,
    );
  });
});
