import type { Server } from 'node:net';
import { Conflict } from '@berth/core';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, helloTemplate, listen, openBerth, tempHome, until, writeTemplate } from './support.js';

// Ports 12800–13299 belong to this file (test/port-blocks.ts).
describe('the port ledger on a real SQLite file with real processes', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  const holders: Server[] = [];

  beforeAll(async () => {
    env = await tempHome('ports');
    await writeTemplate(env.templates, 'many.yaml', helloTemplate('many', 12800, { width: 300 }));
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 13100));
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    for (const s of holders) s.close();
    for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
    await berth.close();
    await env.cleanup();
  });

  it('gives 200 concurrent creates of one template 200 distinct ports, with no errors', async () => {
    const created = await Promise.all(
      Array.from({ length: 200 }, () => berth.instances.create({ template: 'many', start: false })),
    );
    const ports = created.map((i) => berth.instances.ports(i.id).http);
    expect(new Set(ports).size).toBe(200);
    expect(ports.every((p) => p !== undefined && p >= 12800 && p <= 13099)).toBe(true);
    expect(new Set(created.map((i) => i.name)).size).toBe(200);
    const leases = berth.store.leases.listByHost('local').filter((l) => l.port >= 12800 && l.port <= 13099);
    expect(leases).toHaveLength(200);
    await Promise.all(created.map((i) => berth.instances.remove(i.id)));
    expect(
      berth.store.leases.listByHost('local').filter((l) => l.port >= 12800 && l.port <= 13099),
    ).toHaveLength(0);
  });

  it('keeps the port across stop and start', async () => {
    const inst = await berth.instances.create({ template: 'hello', name: 'sticky' });
    const running = await until('sticky running', () => {
      const i = berth.instances.get('sticky');
      return i.status === 'running' ? i : undefined;
    });
    const port = berth.instances.ports(inst.id).http!;
    expect(await get(port)).toBe('hello');
    await berth.instances.stop('sticky', { wait: true });
    expect(berth.instances.get('sticky').status).toBe('stopped');
    await berth.instances.start('sticky', { wait: true });
    expect(berth.instances.get('sticky').status).toBe('running');
    expect(berth.instances.ports(running.id).http).toBe(port);
    expect(await get(port)).toBe('hello');
  });

  it('names the owner of a taken port, suggests a free one, refuses a pinned start, and starts after an override', async () => {
    const inst = await berth.instances.create({
      template: 'hello',
      name: 'pinned',
      ports: { http: 13150 },
      start: false,
    });
    expect(berth.instances.ports(inst.id).http).toBe(13150);
    holders.push(await listen(13150));

    const pre = await berth.instances.preflight('pinned');
    expect(pre.canStart).toBe(false);
    expect(pre.portConflicts).toHaveLength(1);
    const c = pre.portConflicts[0]!;
    expect(c).toMatchObject({ name: 'http', envVar: 'PORT', port: 13150, pinned: true });
    expect(c.usedBy).toMatch(/^process node \(pid \d+\)$/);
    expect(c.suggestedPort).toBeGreaterThan(13150);
    expect(c.suggestedPort).toBeLessThanOrEqual(13199);

    const err = await berth.instances.start('pinned', { wait: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Conflict);
    expect((err as Conflict).code).toBe('PORT_CONFLICT');
    expect((err as Conflict).portConflicts[0]).toMatchObject({ port: 13150, usedBy: c.usedBy });

    await berth.instances.overridePort('pinned', 'http', c.suggestedPort!);
    expect(berth.instances.get('pinned').portOverrides).toEqual({ http: c.suggestedPort });
    await berth.instances.start('pinned', { wait: true });
    expect(berth.instances.get('pinned').status).toBe('running');
    expect(await get(c.suggestedPort!)).toBe('hello');
    // the override lives on this instance only: the template is untouched
    expect(berth.templates.get('hello').template.ports[0]?.preferred).toBe(13100);
  });

  it('re-chooses a port berth chose when someone else took it while the instance was stopped', async () => {
    const inst = await berth.instances.create({ template: 'hello', name: 'moved', start: false });
    const before = berth.instances.ports(inst.id).http!;
    holders.push(await listen(before));
    const pre = await berth.instances.preflight('moved');
    expect(pre).toMatchObject({ canStart: true, portConflicts: [{ port: before, pinned: false }] });
    await berth.instances.start('moved', { wait: true });
    const after = berth.instances.ports(inst.id).http!;
    expect(after).not.toBe(before);
    expect(await get(after)).toBe('hello');
    const moved = berth.store.events.list({ instanceId: inst.id }).find((e) => e.type === 'instance.ports');
    expect(moved?.message).toContain(`moved from ${before} to ${after}`);
  });

  it('keeps ports across a berth restart and adopts the running process', async () => {
    const port = berth.instances.ports(berth.instances.get('sticky').id).http!;
    const pid = berth.store.deployments.find(berth.instances.get('sticky').currentDeploymentId!)?.handle?.id;
    await berth.close();
    berth = await openBerth(env.home, env.templates);
    const sticky = berth.instances.get('sticky');
    expect(sticky.status).toBe('running');
    expect(berth.store.deployments.find(sticky.currentDeploymentId!)?.handle?.id).toBe(pid);
    expect(berth.reconciler.orphans()).toEqual([]);
    await berth.instances.restart('sticky', { wait: true });
    expect(berth.instances.ports(sticky.id).http).toBe(port);
    expect(await get(port)).toBe('hello');
  });
});

describe('a listener on a port that also has connections', () => {
  it('is named as the holder: connections never hide a listener', async () => {
    const env = await tempHome('conn');
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 13200));
    const berth = await openBerth(env.home, env.templates);
    try {
      const inst = await berth.instances.create({
        template: 'hello',
        name: 'busy',
        ports: { http: 13200 },
        start: false,
      });
      const holder = await listen(13200);
      // an open connection to the listener: its server side is a socket whose local port is 13200 too
      const { connect } = await import('node:net');
      const client = connect(13200, '127.0.0.1');
      await new Promise((r) => client.once('connect', r));
      const pre = await berth.instances.preflight(inst.id);
      expect(pre.canStart).toBe(false);
      expect(pre.portConflicts[0]?.usedBy).toMatch(/^process node \(pid \d+\)$/);
      client.destroy();
      holder.close();
    } finally {
      await berth.close();
      await env.cleanup();
    }
  });
});
