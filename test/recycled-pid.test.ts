import { spawn } from 'node:child_process';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 13400–13499 belong to this file.
describe('a pid recycled by an unrelated process', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('pid');
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 13400));
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
    await berth.close();
    await env.cleanup();
  });

  it('is never adopted, signalled or mistaken for the instance', async () => {
    const inst = await berth.instances.create({ template: 'hello', name: 'victim' });
    await until('running', () => berth.instances.get('victim').status === 'running' || undefined);
    const dep = berth.store.deployments.find(berth.instances.get('victim').currentDeploymentId!)!;
    await berth.close();

    // While berth is down the instance dies and its pid goes to somebody else (simulated: the
    // record is pointed at an unrelated live process that keeps the old start time).
    process.kill(-Number(dep.handle!.id), 'SIGKILL');
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    const { store } = await import('@berth/store-sqlite').then(async (m) => ({
      store: await m.SqliteStore.open(`${env.home}/berth.db`),
    }));
    store.deployments.update(dep.id, {
      handle: { ...dep.handle!, id: String(stranger.pid), meta: { ...dep.handle!.meta, pid: stranger.pid! } },
    });
    store.close();

    berth = await openBerth(env.home, env.templates);
    const after = berth.instances.get(inst.id);
    expect(after.status).not.toBe('running');
    expect(after.errorMessage ?? '').toMatch(/exited/);
    // the stranger was neither adopted nor signalled
    expect(stranger.exitCode).toBeNull();
    expect(() => process.kill(stranger.pid!, 0)).not.toThrow();
    const workloads = (
      await Promise.all(berth.runtimes.all().map(({ runtime }) => runtime.list(berth.owner)))
    ).flat();
    expect(workloads.some((w) => w.handle.id === String(stranger.pid))).toBe(false);
    stranger.kill('SIGKILL');
  });
});
