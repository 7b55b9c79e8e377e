import { silentLogger } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { openRemoteDockerNode } from './docker-node.js';
import { NodeRuntimeResolver } from './node-runtime-resolver.js';

const record = (name: string, endpoint: string) => ({
  name,
  kind: 'docker' as const,
  host: name,
  config: { endpoint },
  createdAt: 0,
});

describe('NodeRuntimeResolver', () => {
  it('serves each remote node its own runtime and port space, and says why a source cannot run there', async () => {
    const resolver = new NodeRuntimeResolver();
    const b = await openRemoteDockerNode(record('host-b', 'tcp://127.0.0.1:1'), { log: silentLogger });
    resolver.addNode(b);
    expect(resolver.resolve('host-b', 'image')).toBe(b.runtime);
    expect(resolver.byKind('host-b', 'docker')).toBe(b.runtime);
    expect(resolver.hostOf('host-b')).toBe('host-b');
    expect(resolver.hostOf('local')).toBe('local');
    expect(() => resolver.resolve('host-b', 'command')).toThrow(
      /host-b is a Docker node; command templates run on node local/,
    );
    expect(() => resolver.resolve('host-b', 'compose')).toThrow(/no compose CLI/);
    expect(() => resolver.resolve('local', 'image')).toThrow(/no Docker engine on node local/);
    expect(() => resolver.hostOf('nowhere')).toThrow(/node 'nowhere' was not found/);
    expect(resolver.all().map((r) => [r.node, r.runtime.kind])).toEqual([['host-b', 'docker']]);
    expect(resolver.describe()).toEqual([{ node: 'host-b', kind: 'docker', sources: ['image', 'build'] }]);
  });

  it('keeps a node that cannot be opened, saying why; forgets a removed one', () => {
    const resolver = new NodeRuntimeResolver();
    resolver.markBroken('host-c', 'host-c', 'tls.ca file /x cannot be read');
    expect(resolver.hostOf('host-c')).toBe('host-c');
    expect(() => resolver.resolve('host-c', 'image')).toThrow(/node host-c cannot be used: tls.ca file/);
    resolver.removeNode('host-c');
    expect(() => resolver.hostOf('host-c')).toThrow(/not found/);
  });

  it('reports published ports only for the host asked about (an unreachable engine fails its own host only)', async () => {
    const resolver = new NodeRuntimeResolver();
    resolver.addNode(
      await openRemoteDockerNode(record('host-b', 'tcp://127.0.0.1:1'), { log: silentLogger }),
    );
    expect(await resolver.taken('local')).toEqual([]);
    await expect(resolver.taken('host-b')).rejects.toMatchObject({ kind: 'runtime_unavailable' });
  });
});
