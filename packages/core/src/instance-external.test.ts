import type { HealthResult, HealthTarget } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canTransition } from './instance.js';
import { validateTemplate } from './template.js';
import { parseExternalAddress } from './template-parts.js';

let w: ReconcilerWorld;
let answers: HealthResult[];
let targets: HealthTarget[];

beforeEach(async () => {
  answers = [];
  targets = [];
  w = await reconcilerWorld({
    health: {
      check: async (target) => {
        targets.push(target);
        return answers.shift() ?? { ok: true, message: 'HTTP 200' };
      },
    },
  });
});
afterEach(() => w.close());

const external = (extra: Record<string, unknown> = {}) =>
  w.template({
    name: 'clouddb',
    source: { kind: 'external', address: 'https://db.example.com' },
    ports: [{ name: 'http', preferred: 8443 }],
    config: { region: { type: 'string', default: 'eu' } },
    ...extra,
  });

async function nextCheck(): Promise<void> {
  await w.clock.advance(5_000);
  await w.reconciler.tick();
  await w.clock.advance(0);
}

describe('external instances', () => {
  it('are recorded with status external, their ports where the service listens, nothing leased or run', async () => {
    external();
    const inst = await w.instances.create({ template: 'clouddb', name: 'db' }, { wait: true });
    expect(inst.status).toBe('external');
    expect(w.instances.ports(inst.id)).toEqual({ http: 8443 });
    expect(w.store.leases.listByOwner(inst.id)).toEqual([]);
    await w.reconciler.tick();
    expect(w.runtime.calls).toEqual([]);
    expect(w.instances.get(inst.id).status).toBe('external');
  });

  it('refuse start, stop, restart and kill with why (409), and rm removes only the record', async () => {
    external();
    await w.instances.create({ template: 'clouddb', name: 'db' });
    for (const act of ['start', 'stop', 'restart', 'kill'] as const) {
      await expect(w.instances[act]('db')).rejects.toMatchObject({
        kind: 'conflict',
        code: 'EXTERNAL_INSTANCE',
        message: expect.stringContaining(`Cannot ${act} db: it is an external instance`),
      });
    }
    await w.instances.remove('db');
    expect(w.instances.list()).toEqual([]);
    expect(w.runtime.calls).toEqual([]);
  });

  it('refuse pinned ports and replicas at create, naming the field', async () => {
    external();
    await expect(w.instances.create({ template: 'clouddb', ports: { http: 9000 } })).rejects.toMatchObject({
      message: expect.stringContaining('an instance takes no ports'),
      details: { field: 'ports' },
    });
  });

  it('run the template’s health check against the external host: healthy, then unhealthy, no restart', async () => {
    external({ health: { http: { port: 'http', path: '/up' }, intervalSeconds: 5, retries: 1 } });
    const inst = await w.instances.create({ template: 'clouddb', name: 'db' });
    await nextCheck();
    expect(targets[0]).toEqual({ kind: 'http', port: 8443, path: '/up', host: 'db.example.com' });
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'external', health: 'healthy' });
    answers.push({ ok: false, message: 'connection refused' });
    await nextCheck();
    expect(w.instances.get(inst.id)).toMatchObject({ status: 'external', health: 'unhealthy' });
    expect(w.runtime.calls).toEqual([]);
  });

  it('without a health check keep health null', async () => {
    external();
    const inst = await w.instances.create({ template: 'clouddb', name: 'db' });
    await nextCheck();
    expect(targets).toEqual([]);
    expect(w.instances.get(inst.id).health).toBeNull();
  });
});

describe('the external source', () => {
  it('takes a URL or host:port and refuses anything else', () => {
    expect(parseExternalAddress('https://db.example.com/x')).toMatchObject({
      host: 'db.example.com',
      port: 443,
    });
    expect(parseExternalAddress('10.0.0.5:5432')).toEqual({ host: '10.0.0.5', port: 5432 });
    expect(parseExternalAddress('db.example.com')).toBeUndefined();
    expect(parseExternalAddress('db:99999')).toBeUndefined();
    expect(() => validateTemplate({ name: 'x', source: { kind: 'external', address: 'nope' } })).toThrow(
      /source.address: must be a URL/,
    );
  });

  it('needs each port’s number (preferred)', () => {
    expect(() =>
      validateTemplate({ name: 'x', source: { kind: 'external', address: 'h:1' }, ports: [{ name: 'p' }] }),
    ).toThrow(/ports\[0\].preferred: is required for external templates/);
  });

  it('external is a status apart: nothing moves into or out of it', () => {
    expect(canTransition('external', 'running')).toBe(false);
    expect(canTransition('running', 'external')).toBe(false);
    expect(canTransition('external', 'error')).toBe(false);
    expect(canTransition('external', 'external')).toBe(true);
  });
});
