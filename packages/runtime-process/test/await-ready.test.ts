import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeploySpec } from '@berth/core';
import { ProcessRuntime } from '@berth/runtime-process';
import { freePortInRange } from '@berth/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { workloadSpec } from './workload.js';

const root = mkdtempSync(join(tmpdir(), 'berth-await-ready-'));
const owner = `await-ready-${process.pid}-${Date.now()}`;
const runtime = new ProcessRuntime();
// Ports 25900–25999 belong to this file (the contract suite in process-runtime.test.ts picks from 25800–25899).
const forever = 'setInterval(() => {}, 1 << 30);';

let seq = 0;
async function spec(script: string, extra: Partial<DeploySpec> = {}): Promise<DeploySpec> {
  seq++;
  const opts = {
    instanceId: `ar-${process.pid}`,
    name: `ar-${seq}`,
    port: await freePortInRange(25900, 25999),
  };
  return { ...workloadSpec(root, owner, opts, { script }), readiness: { kind: 'none' }, ...extra };
}

/** The handle as a restarted berth finds it: from list(), not from deploy(). */
async function adopted(instanceId: string) {
  const found = (await runtime.list(owner)).find((w) => w.instanceId === instanceId && w.running);
  expect(found).toBeDefined();
  return found!.handle;
}

describe('ProcessRuntime.awaitReady (a process adopted while its deploy waited)', () => {
  afterAll(async () => {
    for (const w of await runtime.list(owner)) await runtime.remove(w.handle);
    rmSync(root, { recursive: true, force: true });
  });

  it("waits for a log line written by this process, not an earlier run's line in the same file", async () => {
    const first = await runtime.deploy(await spec(`console.log('up'); ${forever}`));
    await runtime.remove(first.handle);
    const later = await spec(`setTimeout(() => console.log('up'), 1500); ${forever}`);
    await runtime.deploy(later);
    const handle = await adopted(later.instanceId);
    const byLog: DeploySpec = { ...later, readiness: { kind: 'log', pattern: '^up$' } };
    await expect(runtime.awaitReady(handle, byLog, { timeoutMs: 300 })).rejects.toThrow(/not ready within/);
    await runtime.awaitReady(handle, byLog, { timeoutMs: 10_000 });
    await runtime.remove(handle);
  });

  it('fails as soon as the process exits, saying so', async () => {
    const s = await spec(`console.error('bad config'); setTimeout(() => process.exit(3), 300);`);
    await runtime.deploy(s);
    const handle = await adopted(s.instanceId);
    const silent: DeploySpec = {
      ...s,
      readiness: { kind: 'port', port: await freePortInRange(25900, 25999) },
    };
    const started = Date.now();
    await expect(runtime.awaitReady(handle, silent, { timeoutMs: 60_000 })).rejects.toThrow(
      /exited with code 3 before it was ready.*\n?.*bad config/s,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
