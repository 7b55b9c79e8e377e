import type { Runtime } from '@berth/core';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 13300–13399 belong to this file.

/** The real process runtime, with every call it gets written down as `<method> <instance or pid>`. */
function record(runtime: Runtime): string[] {
  const calls: string[] = [];
  const rt = runtime as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ['deploy', 'stop', 'kill', 'remove', 'inspect', 'list']) {
    const original = rt[method]!.bind(runtime);
    rt[method] = (...args: unknown[]) => {
      const first = args[0] as { instanceName?: string; id?: string } | string;
      calls.push(`${method} ${typeof first === 'string' ? '' : (first.instanceName ?? first.id)}`.trim());
      return original(...args);
    };
  }
  return calls;
}

describe("the reconciler's tick", () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let calls: string[];

  beforeAll(async () => {
    env = await tempHome('tick');
    const hello = helloTemplate('hello', 13300).replace(
      '  http: { port: http, path: / }',
      '  http: { port: http, path: / }\n  intervalSeconds: 0.2\nrestart: { policy: on-failure, backoffSeconds: 0.2 }',
    );
    await writeTemplate(env.templates, 'hello.yaml', hello);
    berth = await openBerth(env.home, env.templates);
    calls = record(berth.runtimes.byKind('local', 'process'));
  });

  afterAll(async () => {
    for (const i of berth?.instances.list() ?? []) await berth.instances.remove(i.id).catch(() => undefined);
    await berth?.close();
    await env?.cleanup();
  });

  const get = (name: string) => berth.instances.get(name);
  const handleOf = (name: string) => berth.store.deployments.find(get(name).currentDeploymentId!)!.handle!;
  const eventsSince = (name: string, sinceId: number) =>
    berth.store.events.list({ instanceId: get(name).id, sinceId });
  const lastEventId = () => Math.max(0, ...berth.store.events.list().map((e) => e.id));

  it('leaves healthy instances alone, restarts a crashed one, stops one that should no longer run', async () => {
    for (const name of ['calm', 'crashy', 'unwanted'])
      await berth.instances.create({ template: 'hello', name });
    await until('all running and healthy', () =>
      ['calm', 'crashy', 'unwanted'].every((n) => get(n).status === 'running' && get(n).health === 'healthy'),
    );
    const calm = { deployment: get('calm').currentDeploymentId, pid: handleOf('calm').id };
    const crashed = handleOf('crashy').id;
    const since = lastEventId();
    calls.length = 0;

    process.kill(-Number(crashed), 'SIGKILL');
    // A desired state written to the record without a request to the service: only the tick sees it.
    berth.store.instances.update(get('unwanted').id, { desiredState: 'stopped' });

    await until(
      'crashy restarted',
      () => get('crashy').status === 'running' && handleOf('crashy').id !== crashed,
    );
    await until('unwanted stopped', () => get('unwanted').status === 'stopped');
    for (let i = 0; i < 5; i++) await berth.reconciler.tick();

    expect(calls).toContain('deploy crashy');
    expect(calls).toContain(`stop ${handleOf('unwanted').id}`);
    expect(get('crashy').restartCount).toBe(1);
    expect(eventsSince('crashy', since).map((e) => e.type)).toContain('instance.restart');
    // The healthy one: same deployment and process, no event, and the runtime was never asked
    // anything about it — the tick's one list per pass answered for it.
    expect(get('calm')).toMatchObject({
      status: 'running',
      health: 'healthy',
      currentDeploymentId: calm.deployment,
    });
    expect(handleOf('calm').id).toBe(calm.pid);
    expect(eventsSince('calm', since)).toEqual([]);
    expect(calls.filter((c) => [calm.pid, 'calm'].includes(c.split(' ')[1] ?? ''))).toEqual([]);
    expect(calls).toContain('list');
  });

  it('inspects each instance when its runtime cannot list, and leaves the running ones running', async () => {
    const rt = berth.runtimes.byKind('local', 'process');
    const list = rt.list;
    rt.list = async () => {
      throw new Error('listing is broken');
    };
    try {
      calls.length = 0;
      await berth.reconciler.tick();
      await until('the converges to finish', async () => {
        await new Promise((r) => setTimeout(r, 50));
        return (
          calls.includes(`inspect ${handleOf('calm').id}`) &&
          calls.includes(`inspect ${handleOf('crashy').id}`)
        );
      });
    } finally {
      rt.list = list;
    }
    expect(get('calm').status).toBe('running');
    expect(get('crashy').status).toBe('running');
    expect(get('unwanted').status).toBe('stopped');
  });
});
