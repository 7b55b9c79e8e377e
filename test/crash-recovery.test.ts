import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Berth } from '@berth/server';
import { afterAll, describe, expect, it } from 'vitest';
import { get, helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 10900–10999 belong to this file.
const child = fileURLToPath(new URL('./fixtures/crash-child.mjs', import.meta.url));

describe('berth killed with SIGKILL while 20 instances are starting', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth | undefined;

  afterAll(async () => {
    if (berth) {
      for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
      await berth.close();
    }
    await env?.cleanup();
  });

  it('adopts every instance on restart: all running, no duplicates, no orphans, no lost record', async () => {
    env = await tempHome('crash');
    // Each process takes 1.5 s to listen, so berth dies with every deploy still waiting for readiness.
    await writeTemplate(env.templates, 'slow.yaml', helloTemplate('slow', 10900, { delayMs: 1500 }));
    const proc = spawn(process.execPath, [child], {
      env: {
        ...process.env,
        BERTH_HOME: env.home,
        BERTH_TEMPLATES: env.templates,
        COUNT: '20',
        TEMPLATE: 'slow',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => d.toString().includes('deploying') && resolve());
      proc.once('exit', (code) => reject(new Error(`the berth child exited early (${code})`)));
    });
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));

    berth = await openBerth(env.home, env.templates);
    const b = berth;
    const all = b.instances.list();
    expect(all).toHaveLength(20);
    await until(
      'all 20 running',
      () => b.instances.list().every((i) => i.status === 'running') || undefined,
      30_000,
    );

    // exactly one workload per instance, every one of them known
    const workloads = (
      await Promise.all(b.runtimes.all().map(({ runtime }) => runtime.list(b.owner)))
    ).flat();
    expect(workloads).toHaveLength(20);
    expect(new Set(workloads.map((w) => w.instanceId)).size).toBe(20);
    expect(await b.reconciler.findOrphans()).toEqual([]);

    // the current deployment of each instance is the process that runs, and its port answers
    const ports = all.map((i) => b.instances.ports(i.id).http!);
    expect(new Set(ports).size).toBe(20);
    for (const inst of b.instances.list()) {
      const dep = b.store.deployments.find(inst.currentDeploymentId!);
      expect(workloads.some((w) => w.handle.id === dep?.handle?.id)).toBe(true);
    }
    const answers = await Promise.all(ports.map((p) => get(p)));
    expect(answers.every((a) => a === 'hello')).toBe(true);
  });
});
