import type { FoundWorkload, NamedWorkload } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { adoptionFor } from './registry-adoption.js';

const tcp = { protocol: 'tcp' as const };

/** fake-node: a node's container runtime answering findByName as DockerRuntime does, from a list. */
function fakeNode(...workloads: Partial<NamedWorkload>[]) {
  const all = workloads.map(
    (w, i): FoundWorkload => ({
      runtime: 'docker',
      workload: {
        ref: `id-${i}`,
        name: `c${i}`,
        running: true,
        startedAt: 0,
        published: [],
        owner: null,
        ...w,
      },
    }),
  );
  const asked: string[] = [];
  return {
    asked,
    findNamed: async (node: string, name: string) => {
      asked.push(`${node}/${name}`);
      return all.find((f) => f.workload.name === name);
    },
  };
}

describe('which old container an import takes over', () => {
  it('the one named as container_name, running and publishing the entry’s port', async () => {
    const node = fakeNode({ name: 'web_1', published: [{ port: 8000, protocol: 'tcp' }] });
    const a = await adoptionFor(node, { container_name: 'web_1', key: 'web_1', port: 8000 }, 'local', tcp);
    expect(a).toMatchObject({ kind: 'adopt', found: { workload: { name: 'web_1' } } });
    expect(node.asked).toEqual(['local/web_1']); // the key is asked only when it is another name
  });

  it('falls back to the registry key when container_name is missing or names nothing running', async () => {
    const node = fakeNode(
      { name: 'web_1', running: false, published: [] },
      { name: 'web-key', published: [{ port: 8000, protocol: 'tcp' }] },
    );
    expect(await adoptionFor(node, { key: 'web-key', port: 8000 }, 'local', tcp)).toMatchObject({
      kind: 'adopt',
    });
    const both = await adoptionFor(
      node,
      { container_name: 'web_1', key: 'web-key', port: 8000 },
      'local',
      tcp,
    );
    expect(both).toMatchObject({ kind: 'adopt', found: { workload: { name: 'web-key' } } });
  });

  it('nothing when no container has the name, or it is stopped; a port alone is never asked about', async () => {
    const node = fakeNode(
      { name: 'other', published: [{ port: 8000, protocol: 'tcp' }] },
      { name: 'web_1', running: false },
    );
    expect(await adoptionFor(node, { container_name: 'web_1', port: 8000 }, 'local', tcp)).toEqual({
      kind: 'none',
    });
    expect(await adoptionFor(node, { port: 8000 }, 'local', tcp)).toEqual({ kind: 'none' });
  });

  it('refuses a partial match (same name, another port or protocol) and a berth-labelled one', async () => {
    const node = fakeNode(
      { name: 'moved', published: [{ port: 8001, protocol: 'tcp' }] },
      { name: 'udp_only', published: [{ port: 8000, protocol: 'udp' }] },
      { name: 'berths', owner: 'another-home', published: [{ port: 8000, protocol: 'tcp' }] },
    );
    const moved = await adoptionFor(node, { container_name: 'moved', port: 8000 }, 'local', tcp);
    expect(moved).toEqual({
      kind: 'refuse',
      reason: expect.stringContaining('publishes 8001/tcp, not 8000/tcp'),
    });
    const udp = await adoptionFor(node, { container_name: 'udp_only', port: 8000 }, 'local', tcp);
    expect(udp).toMatchObject({ kind: 'refuse' });
    const labelled = await adoptionFor(node, { container_name: 'berths', port: 8000 }, 'local', tcp);
    expect(labelled).toEqual({
      kind: 'refuse',
      reason: expect.stringContaining('belongs to a berth installation'),
    });
  });
});
