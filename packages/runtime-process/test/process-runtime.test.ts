import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { InvalidInput, Unprocessable, type WorkloadHandle } from '@berth/core';
import { isDead, processTree, readProcStat } from '@berth/host';
import { ProcessRuntime } from '@berth/runtime-process';
import { freePortInRange, runtimeContract } from '@berth/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVER, workloadSpec } from './workload.js';

const root = mkdtempSync(join(tmpdir(), 'berth-process-'));
const owner = `test-${process.pid}-${Date.now()}`;
const runtime = new ProcessRuntime();

async function killAll(rt: ProcessRuntime, ...owners: string[]) {
  for (const o of owners) {
    for (const w of await rt.list(o)) await rt.remove(w.handle);
  }
}

runtimeContract('process', async () => {
  const fixtureOwner = `${owner}-contract`;
  return {
    runtime,
    owner: fixtureOwner,
    specFor: (opts) => workloadSpec(root, fixtureOwner, opts),
    specIgnoringTermFor: (opts) => workloadSpec(root, fixtureOwner, opts, { env: { IGNORE_TERM: '1' } }),
    cleanup: () => killAll(runtime, fixtureOwner, `${fixtureOwner}-other`),
  };
});

const alive = async (pid: number) => {
  const s = await readProcStat(pid);
  return s !== undefined && !isDead(s);
};

let seq = 0;
async function options() {
  seq++;
  return { instanceId: `pr-${process.pid}-${seq}`, name: `pr-${seq}`, port: await freePortInRange() };
}

describe('ProcessRuntime', () => {
  afterAll(async () => {
    await killAll(runtime, owner);
    rmSync(root, { recursive: true, force: true });
  });

  it('never mistakes a recycled pid for the instance', async () => {
    const w = await runtime.deploy(workloadSpec(root, owner, await options()));
    await runtime.kill(w.handle);
    // A live, unrelated process (this test) under the pid, with the dead workload's start ticks.
    const forged: WorkloadHandle = {
      runtime: 'process',
      id: String(process.pid),
      meta: { ...w.handle.meta, pid: process.pid, pgid: process.pid },
    };
    expect(await runtime.inspect(forged)).toBeUndefined();
    await runtime.stop(forged, 100); // and never signals it
    expect(await alive(process.pid)).toBe(true);
  });

  it('keeps a workload running after the berth that spawned it exits, and adopts it', async () => {
    const opts = await options();
    const spec = workloadSpec(root, owner, opts);
    const script = join(root, 'spawner.mjs');
    const dist = resolve(import.meta.dirname, '../dist/index.js');
    writeFileSync(
      script,
      `import { ProcessRuntime } from ${JSON.stringify(dist)};
       const w = await new ProcessRuntime().deploy(${JSON.stringify(spec)});
       console.log(JSON.stringify(w.handle));
       process.exit(0);`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [script]);
    const handle = JSON.parse(stdout) as WorkloadHandle;
    const fresh = new ProcessRuntime();
    const seen = await fresh.inspect(handle);
    expect(seen?.running).toBe(true);
    expect(seen?.instanceId).toBe(opts.instanceId);
    expect(seen?.ports).toEqual({ http: opts.port });
    expect((await fetch(`http://127.0.0.1:${opts.port}/`)).status).toBe(200);
    const adopted = (await fresh.list(owner)).find((w) => w.instanceId === opts.instanceId);
    expect(adopted?.handle.meta.startTicks).toBe(handle.meta.startTicks);
    await fresh.stop(handle, 2_000);
    // Gone, or a zombie until its new parent (init) reaps it: not running either way.
    expect((await fresh.inspect(handle))?.running ?? false).toBe(false);
  });

  it('when its spawn helper dies, follows its workloads in /proc: one that exits is seen gone, one that runs is listed and stops', async () => {
    const rt = new ProcessRuntime();
    const [a, b] = [await options(), await options()];
    const wa = await rt.deploy(workloadSpec(root, owner, a));
    const wb = await rt.deploy(workloadSpec(root, owner, b));
    const helper = (await readProcStat(wa.pid!))!.ppid;
    expect(helper).not.toBe(process.pid);
    process.kill(helper, 'SIGKILL');
    for (let i = 0; i < 100 && (await readProcStat(helper)); i++) await new Promise((r) => setTimeout(r, 20));
    process.kill(wa.pid!, 'SIGKILL');
    for (let i = 0; i < 100 && (await alive(wa.pid!)); i++) await new Promise((r) => setTimeout(r, 20));
    // As the reconciler's tick lists them: by the handles it knows.
    for (const listed of [await rt.list(owner, { known: [wa.handle, wb.handle] }), await rt.list(owner)]) {
      expect(listed.some((x) => x.instanceId === a.instanceId && x.running)).toBe(false);
      expect(listed.find((x) => x.instanceId === b.instanceId)?.running).toBe(true);
    }
    expect((await rt.inspect(wa.handle))?.running ?? false).toBe(false);
    expect((await rt.inspect(wb.handle))?.running).toBe(true);
    await rt.stop(wb.handle, 2_000);
    expect((await rt.inspect(wb.handle))?.running ?? false).toBe(false);
    const next = await rt.deploy(workloadSpec(root, owner, await options()));
    expect((await readProcStat(next.pid!))!.ppid).not.toBe(helper);
    await rt.remove(next.handle);
  });

  it('stop reaches the workload’s children', async () => {
    const opts = await options();
    const script = `
      const { spawn } = require('node:child_process');
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));`;
    const w = await runtime.deploy(workloadSpec(root, owner, opts, { script }));
    const tree = await processTree(w.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    await runtime.stop(w.handle, 2_000);
    for (const p of tree) expect(await alive(p.pid)).toBe(false);
  });

  it('reports a command that does not exist in words', async () => {
    const spec = { ...workloadSpec(root, owner, await options()), command: ['nodee-berth-missing'] };
    const err = await runtime.deploy(spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as Error).message).toBe("command 'nodee-berth-missing' was not found");
  });

  it('names the exit code and the last stderr lines when the workload exits before it is ready', async () => {
    const script = `console.error('cannot open config'); process.exit(3);`;
    const err = await runtime
      .deploy(workloadSpec(root, owner, await options(), { script }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Unprocessable);
    expect((err as Error).message).toMatch(/exited with code 3 before it was ready/);
    expect((err as Error).message).toMatch(/cannot open config/);
    expect(await runtime.list(owner)).toEqual([]);
  });

  it('lists hundreds of workloads in one quick pass over /proc, and stops them all', async () => {
    const many = `${owner}-many`;
    const specs = await Promise.all(
      Array.from({ length: 300 }, async () => ({
        ...workloadSpec(root, many, await options()),
        command: ['sleep', '60'],
        readiness: { kind: 'none' as const },
      })),
    );
    const deployed = [];
    for (let i = 0; i < specs.length; i += 50) {
      deployed.push(...(await Promise.all(specs.slice(i, i + 50).map((s) => runtime.deploy(s)))));
    }
    const started = Date.now();
    const listed = await runtime.list(many);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(listed.map((w) => w.instanceId).sort()).toEqual(specs.map((s) => s.instanceId).sort());
    await Promise.all(deployed.map((w) => runtime.stop(w.handle, 2_000)));
    expect(await runtime.list(many)).toEqual([]);
  });

  it('counts the whole group in stats: children, and a grandchild whose parent exited', async () => {
    const hold = join(root, 'hold.js');
    writeFileSync(
      hold,
      'globalThis.k = Buffer.alloc(Number(process.argv[2]) * 1024 * 1024, 1); setInterval(() => {}, 1000);',
    );
    const orphaner = join(root, 'orphaner.js');
    writeFileSync(
      orphaner,
      `require('node:child_process').spawn(process.execPath, [${JSON.stringify(hold)}, '128'], { stdio: 'ignore' });
       setTimeout(() => process.exit(0), 300);`,
    );
    const script = `const { spawn } = require('node:child_process');
      spawn(process.execPath, [${JSON.stringify(hold)}, '64'], { stdio: 'ignore' });
      spawn(process.execPath, [${JSON.stringify(orphaner)}], { stdio: 'ignore' });
      ${SERVER}`;
    const w = await runtime.deploy(workloadSpec(root, owner, await options(), { script }));
    try {
      // Without the reparented grandchild (128 MiB) the group holds ~150 MiB. Its parent exits
      // after 300 ms; measure only once it has.
      await new Promise((r) => setTimeout(r, 1_000));
      const MiB = 1024 * 1024;
      let memory = 0;
      const deadline = Date.now() + 15_000;
      while (memory < (64 + 128 + 20) * MiB && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        memory = (await runtime.stats([w.handle])).get(w.handle.id)?.memoryBytes ?? 0;
      }
      expect(memory).toBeGreaterThan((64 + 128 + 20) * MiB);
    } finally {
      await runtime.remove(w.handle);
    }
  });

  it('is ready on a log line', async () => {
    const opts = await options();
    const spec = {
      ...workloadSpec(root, owner, opts),
      readiness: { kind: 'log' as const, pattern: '^hello ' },
    };
    const w = await runtime.deploy(spec);
    expect(w.running).toBe(true);
    await runtime.remove(w.handle);
  });
});
