import { existsSync } from 'node:fs';
import { mkdir, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloTemplate, tempHome, until, writeTemplate } from './support.js';

/**
 * Issue 19 §9: a DELETE whose folders cannot be removed safely used to answer 403 after the
 * record was already gone (folders left, leases released, no event). It now checks first.
 * Ports: the template's range 13500–13599, only this file uses it.
 */
describe('removing an instance checks its folders first', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;

  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: 'Bearer test-token',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const removedEvents = (id: string) =>
    server.berth.store.events.list({}).filter((e) => e.type === 'instance.removed' && e.instanceId === id);

  beforeAll(async () => {
    env = await tempHome('remove-first');
    await writeTemplate(env.templates, 'rm.yaml', helloTemplate('rmtpl', 13500));
    const config = loadServerConfig(
      { home: env.home, templates: env.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
      { BERTH_ADMIN_TOKEN: 'test-token' },
    );
    server = await startServer(config, { announce: false });
  });

  afterAll(async () => {
    for (const i of server?.berth.instances.list() ?? [])
      await server.berth.instances.remove(i.id).catch(() => undefined);
    await server?.close();
    await env?.cleanup();
  });

  async function running(name: string) {
    const created = await api('POST', '/instances', { template: 'rmtpl', name });
    expect(created.status).toBeLessThan(300);
    return until(`${name} running`, () => {
      const i = server.berth.instances.get(name);
      return i.status === 'running' ? i : undefined;
    });
  }

  it('refuses with 403 and changes nothing when a folder on the way is a symlink', async () => {
    const inst = await running('swapped');
    const leases = server.berth.store.leases.listByOwner(inst.id);
    expect(leases.length).toBe(1);
    // The template's folder moves out of BERTH_HOME and a symlink to it takes its place.
    const tplDir = join(env.home, 'instances', 'rmtpl');
    const outside = join(env.home, '..', `${inst.id}-outside`);
    await rename(tplDir, outside);
    await symlink(outside, tplDir);
    await writeFile(join(outside, 'swapped', 'precious'), 'keep me');
    try {
      const res = await api('DELETE', '/instances/swapped');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/symbolic link/);
      // nothing changed: the record, its leases, the folders, and no removal event
      expect(server.berth.instances.get('swapped').id).toBe(inst.id);
      expect(server.berth.store.leases.listByOwner(inst.id)).toEqual(leases);
      expect(existsSync(join(outside, 'swapped', 'precious'))).toBe(true);
      expect(existsSync(join(env.home, 'logs', inst.id))).toBe(true);
      expect(removedEvents(inst.id)).toEqual([]);
      expect(server.berth.instances.get('swapped').desiredState).toBe('running');
    } finally {
      await unlink(tplDir);
      await rename(outside, tplDir);
    }
    // Once the folder is back in place, the same DELETE goes through.
    expect((await api('DELETE', '/instances/swapped')).status).toBe(204);
    expect(existsSync(join(tplDir, 'swapped'))).toBe(false);
  });

  it('removes the folders, then the record and leases, and emits instance.removed', async () => {
    const inst = await running('plain');
    await mkdir(join(inst.dataDir, 'sub'), { recursive: true });
    expect((await api('DELETE', '/instances/plain')).status).toBe(204);
    expect((await api('GET', '/instances/plain')).status).toBe(404);
    expect(server.berth.store.leases.listByOwner(inst.id)).toEqual([]);
    expect(existsSync(inst.dataDir)).toBe(false);
    expect(existsSync(join(env.home, 'logs', inst.id))).toBe(false);
    expect(removedEvents(inst.id)).toHaveLength(1);
  });
});
