import { type ChildProcess, spawn } from 'node:child_process';
import { Conflict } from '@berth/core';
import { LocalListenerSource } from '@berth/host';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { get, helloTemplate, openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 12700–12799 belong to this file.
const FOREIGN = 12790;

/** An unrelated program holding a port: a node child process, so its pid is not this test's. */
async function foreignListener(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `require('net').createServer().listen(${port},'0.0.0.0',()=>console.log('up'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the listener exited with ${code}`)));
  });
  return child;
}

describe('owners of local listeners are looked up only when berth has to name one', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let holder: ChildProcess;
  const owners = vi.spyOn(LocalListenerSource.prototype, 'owners');

  beforeAll(async () => {
    env = await tempHome('owners');
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 12700));
    berth = await openBerth(env.home, env.templates);
    holder = await foreignListener(FOREIGN);
  });

  afterAll(async () => {
    holder.kill('SIGKILL');
    for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
    await berth.close();
    await env.cleanup();
    owners.mockRestore();
  });

  it('creates and starts an instance on free ports without looking for any owner', async () => {
    owners.mockClear();
    const inst = await berth.instances.create({ template: 'hello', name: 'plain' });
    await berth.instances.start(inst.id, { wait: true });
    expect(berth.instances.get('plain').status).toBe('running');
    expect(await get(berth.instances.ports(inst.id).http!)).toBe('hello');
    await berth.instances.stop('plain', { wait: true });
    await berth.instances.start('plain', { wait: true });
    expect(berth.instances.get('plain').status).toBe('running');
    expect(owners).not.toHaveBeenCalled();
  });

  it('looks at the machine once for a create that deploys and waits, and afresh for a later start', async () => {
    const external = vi.spyOn(berth.ledger, 'external');
    const inst = await berth.instances.create({ template: 'hello', name: 'quick' }, { wait: true });
    expect(inst.status).toBe('running');
    expect(external).toHaveBeenCalledTimes(1);
    const port = berth.instances.ports(inst.id).http!;
    expect(await get(port)).toBe('hello');

    // A program takes the port while the instance is stopped: the next start must see it.
    await berth.instances.stop('quick', { wait: true });
    const taker = await foreignListener(port);
    try {
      await berth.instances.start('quick', { wait: true });
      const moved = berth.instances.ports(inst.id).http!;
      expect(moved).not.toBe(port);
      expect(await get(moved)).toBe('hello');
      const event = berth.store.events.list({ instanceId: inst.id }).find((e) => e.type === 'instance.ports');
      expect(event?.message).toBe(
        `port http moved from ${port} to ${moved}: ${port} is in use by process node (pid ${taker.pid})`,
      );
    } finally {
      taker.kill('SIGKILL');
      external.mockRestore();
    }
  });

  it('looks at the machine once for a create whose deploy is only queued, too', async () => {
    const external = vi.spyOn(berth.ledger, 'external');
    try {
      const inst = await berth.instances.create({ template: 'hello', name: 'queued' });
      await until('queued running', () => berth.instances.get(inst.id).status === 'running' || undefined);
      expect(external).toHaveBeenCalledTimes(1);
      expect(await get(berth.instances.ports(inst.id).http!)).toBe('hello');
    } finally {
      external.mockRestore();
    }
  });

  it('names the process when a create pins its port', async () => {
    const err = await berth.instances
      .create({ template: 'hello', name: 'pinned', ports: { http: FOREIGN } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).portConflicts[0]).toMatchObject({
      port: FOREIGN,
      usedBy: `process node (pid ${holder.pid})`,
    });
  });

  it('names the process when the port is reserved by hand', async () => {
    const err = await berth.ledger.reserve('local', FOREIGN, 'mine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).message).toBe(
      `Port ${FOREIGN} on local is in use by process node (pid ${holder.pid})`,
    );
  });

  it('lists every taken port with its owner in the inventory', async () => {
    const rows = await berth.ledger.inventory('local');
    expect(rows).toContainEqual({
      port: FOREIGN,
      protocol: 'tcp',
      ownerKind: 'process',
      owner: `process node (pid ${holder.pid})`,
      instanceId: null,
    });
    const plain = berth.instances.get('plain');
    expect(rows).toContainEqual(
      expect.objectContaining({
        port: berth.instances.ports(plain.id).http,
        ownerKind: 'instance',
        owner: 'berth instance plain',
      }),
    );
  });
});
