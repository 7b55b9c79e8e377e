import { PortBindFailed } from '@berth/core';
import { type ReconcilerWorld, reconcilerWorld } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let w: ReconcilerWorld;

beforeEach(async () => {
  w = await reconcilerWorld();
  w.template({ name: 'api', ports: [{ name: 'http', range: [20400, 20499] }] });
});
afterEach(() => w.close());

const portOf = (id: string) => w.store.deployments.find(w.instances.get(id).currentDeploymentId!)!.ports.http;

describe('lost binds (a port taken between berth’s look and the bind)', () => {
  it('a port berth chose is re-chosen once: the instance runs on another port and says why', async () => {
    const before = await w.instances.create({ template: 'api', name: 'api-1', start: false });
    const chosen = w.instances.ports(before.id).http;
    w.runtime.failNextBind('http');
    await w.instances.start(before.id, { wait: true });
    expect(w.instances.get(before.id).status).toBe('running');
    expect(portOf(before.id)).not.toBe(chosen);
    expect(w.statuses(before.id)).toEqual(['deploying', 'running']);
    const moved = w.events.find((e) => e.type === 'instance.ports' && e.instanceId === before.id);
    expect(moved?.data).toMatchObject({ name: 'http', from: chosen, to: portOf(before.id) });
  });

  it('only once: a second lost bind fails the deploy as PORT_CONFLICT', async () => {
    w.runtime.failNextBind('http');
    w.runtime.failNextBind('http');
    const err = await w.instances.create({ template: 'api', name: 'api-1' }, { wait: true }).catch((e) => e);
    expect(err).toBeInstanceOf(PortBindFailed);
    expect(err.code).toBe('PORT_CONFLICT');
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(2);
    expect(w.instances.get('api-1').status).toBe('error');
  });

  it('a pinned port is not moved: the deploy fails with the conflict list naming the port', async () => {
    w.runtime.failNextBind('http');
    const err = await w.instances
      .create({ template: 'api', name: 'api-1', ports: { http: 20450 } }, { wait: true })
      .catch((e) => e);
    expect(err).toBeInstanceOf(PortBindFailed);
    expect(err.portConflicts.map((c: { port: number }) => c.port)).toEqual([20450]);
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
    expect(w.instances.get('api-1')).toMatchObject({ status: 'error', portOverrides: { http: 20450 } });
  });

  it('any other deploy failure is not retried', async () => {
    w.runtime.failNextDeploy(new Error('listen EACCES'));
    await expect(w.instances.create({ template: 'api', name: 'api-1' }, { wait: true })).rejects.toThrow(
      'EACCES',
    );
    expect(w.runtime.calls.filter((c) => c.startsWith('deploy'))).toHaveLength(1);
  });
});
