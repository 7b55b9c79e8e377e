import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect } from '@berth/host';
import type { Berth } from '@berth/server';
import { afterEach, describe, expect, it } from 'vitest';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 10000–10099 belong to this file.
const child = fileURLToPath(new URL('./fixtures/spawned-child.mjs', import.meta.url));

/** Listens on PORT only once the file `go` exists in its data directory: the test says when it is ready. */
const LISTEN_ON_GO = `const fs=require('fs'),go=require('path').join(process.env.BERTH_DATA_DIR,'go');const t=setInterval(()=>{if(fs.existsSync(go)){clearInterval(t);require('http').createServer((q,s)=>s.end('hello')).listen(process.env.PORT)}},50)`;

function template(name: string, from: number, timeoutSeconds: number): string {
  return [
    `name: ${name}`,
    'source:',
    '  kind: command',
    '  command: node',
    `  args: ["-e", ${JSON.stringify(LISTEN_ON_GO)}]`,
    'ports:',
    `  - { name: http, env: PORT, preferred: ${from}, range: [${from}, ${from + 49}] }`,
    `readiness: { kind: port, port: http, timeoutSeconds: ${timeoutSeconds} }`,
    'stopTimeoutSeconds: 2',
    '',
  ].join('\n');
}

/** Runs a berth that creates one instance of `name`, and SIGKILLs it once the workload is spawned. */
async function killRightAfterSpawn(env: { home: string; templates: string }, name: string) {
  const proc = spawn(process.execPath, [child], {
    env: { ...process.env, BERTH_HOME: env.home, BERTH_TEMPLATES: env.templates, TEMPLATE: name },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => d.toString().includes('spawned') && resolve());
    proc.once('exit', (code) => reject(new Error(`the berth child exited early (${code})`)));
  });
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
}

describe('berth killed right after spawning a workload that is not ready yet', () => {
  let env: Awaited<ReturnType<typeof tempHome>> | undefined;
  let berth: Berth | undefined;

  afterEach(async () => {
    if (berth) {
      for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
      await berth.close();
    }
    berth = undefined;
    await env?.cleanup();
  });

  it('adopts it as deploying, and makes it running only once its port answers', async () => {
    env = await tempHome('adopt-ready');
    await writeTemplate(env.templates, 'later.yaml', template('later', 10000, 120));
    await killRightAfterSpawn(env, 'later');

    berth = await openBerth(env.home, env.templates);
    const b = berth;
    const [inst] = b.instances.list();
    const port = b.instances.ports(inst!.id).http!;
    // The process runs (adopted) but does not listen: the instance must not say running.
    expect(await b.reconciler.findOrphans()).toEqual([]);
    for (let i = 0; i < 5; i++) {
      await b.reconciler.tick();
      await new Promise((r) => setTimeout(r, 100));
      expect(b.instances.get(inst!.id).status).toBe('deploying');
    }
    expect(await canConnect(port)).toBe(false);

    await writeFile(join(inst!.dataDir, 'go'), '');
    await until('running', () => b.instances.get(inst!.id).status === 'running' || undefined);
    // Whoever trusts `running` can connect at once.
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello');
    const events = b.store.events.list({ instanceId: inst!.id });
    expect(events.some((e) => e.type === 'instance.adopted')).toBe(true);
    expect(events.filter((e) => e.type === 'instance.status').at(-1)?.message).toBe('adopted; ready');
    // The same process, adopted: not a second deploy.
    const workloads = (
      await Promise.all(b.runtimes.all().map(({ runtime }) => runtime.list(b.owner)))
    ).flat();
    expect(workloads).toHaveLength(1);
    expect(b.store.deployments.find(b.instances.get(inst!.id).currentDeploymentId!)?.handle?.id).toBe(
      workloads[0]!.handle.id,
    );
  });

  it('gives up after the readiness timeout: error with a message, the workload removed, never running', async () => {
    env = await tempHome('adopt-never');
    await writeTemplate(env.templates, 'never.yaml', template('never', 10050, 3));
    await killRightAfterSpawn(env, 'never');

    berth = await openBerth(env.home, env.templates);
    const b = berth;
    const [inst] = b.instances.list();
    const failed = await until(
      'error',
      () => {
        const i = b.instances.get(inst!.id);
        return i.status === 'error' ? i : undefined;
      },
      30_000,
    );
    expect(failed.errorMessage).toMatch(
      /never-1 was not ready within \d+ ms \(waited for port \d+ to accept connections\)/,
    );
    const statuses = b.store.events
      .list({ instanceId: inst!.id })
      .filter((e) => e.type === 'instance.status')
      .map((e) => (e.data as { to: string }).to);
    expect(statuses).not.toContain('running');
    const workloads = (
      await Promise.all(b.runtimes.all().map(({ runtime }) => runtime.list(b.owner)))
    ).flat();
    expect(workloads).toEqual([]);
    expect(b.store.deployments.find(failed.currentDeploymentId!)?.status).toBe('error');
  });
});
