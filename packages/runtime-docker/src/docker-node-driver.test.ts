import { InvalidInput, LOCAL_NODE, localNodeDriver, NodeRegistry, silentLogger } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { ComposeCliSearch } from './compose-cli.js';
import { dockerNodeDriver } from './docker-node-driver.js';
import { localDockerPart } from './open-docker.js';

const record = (name: string, endpoint: string) => ({
  name,
  kind: 'docker' as const,
  host: name,
  config: { endpoint },
  createdAt: 0,
});
const hooks = { updateConfig: () => {} };
const local = { name: LOCAL_NODE, kind: 'local' as const, host: LOCAL_NODE, config: {}, createdAt: 0 };

/**
 * The registry as the server wires it, with no local engine and
 * remote nodes opened without a compose CLI.
 */
async function registry(): Promise<NodeRegistry> {
  const r = new NodeRegistry(silentLogger)
    .register(localNodeDriver([localDockerPart(undefined)]))
    .register(dockerNodeDriver({ log: silentLogger }));
  await r.open(local, hooks);
  return r;
}

describe('the docker node driver in the NodeRegistry', () => {
  it('serves each remote node its own runtime and port space, and says why a source cannot run there', async () => {
    const nodes = await registry();
    const b = await nodes.open(record('host-b', 'tcp://127.0.0.1:1'), hooks);
    const runtime = b.runtimes[0]!.runtime;
    expect(nodes.resolve('host-b', 'image')).toBe(runtime);
    expect(nodes.byKind('host-b', 'docker')).toBe(runtime);
    expect(nodes.hostOf('host-b')).toBe('host-b');
    expect(nodes.hostOf('local')).toBe('local');
    // A command template runs in the image it names (create refuses one without: instance-placement).
    expect(nodes.resolve('host-b', 'command')).toBe(runtime);
    expect(runtime.runsImages).toBe(true);
    expect(() => nodes.resolve('host-b', 'compose')).toThrow(/no compose CLI/);
    expect(() => nodes.resolve('local', 'image')).toThrow(/no Docker engine on node local/);
    expect(() => nodes.hostOf('nowhere')).toThrow(/node 'nowhere' was not found/);
    expect(nodes.all().map((r) => [r.node, r.runtime.kind])).toEqual([['host-b', 'docker']]);
    expect(nodes.describe()).toEqual([
      { node: 'host-b', kind: 'docker', sources: ['image', 'build', 'command'] },
    ]);
    expect(b.address).toBe('127.0.0.1');
  });

  it('keeps a node that cannot be opened, saying why; forgets a closed one', async () => {
    const nodes = await registry();
    const tls = {
      ...record('host-c', 'tcp://127.0.0.1:2376'),
      config: { endpoint: 'tcp://h', certPath: '/x' },
    };
    await expect(nodes.open(tls, hooks)).rejects.toThrow(/tls.ca file \/x\/ca.pem cannot be read/);
    expect(nodes.hostOf('host-c')).toBe('host-c');
    expect(() => nodes.resolve('host-c', 'image')).toThrow(/node host-c cannot be used: tls.ca file/);
    nodes.close('host-c');
    expect(() => nodes.hostOf('host-c')).toThrow(/not found/);
  });

  it('reports published ports only for the host asked about (an unreachable engine fails its own host only)', async () => {
    const nodes = await registry();
    await nodes.open(record('host-b', 'tcp://127.0.0.1:1'), hooks);
    expect(await nodes.taken('local')).toEqual([]);
    await expect(nodes.taken('host-b')).rejects.toMatchObject({ kind: 'runtime_unavailable' });
  });

  it('checks its config at the edge, naming the field, and refuses settings it does not have', () => {
    const driver = dockerNodeDriver({ log: silentLogger });
    expect(driver.parseConfig({ endpoint: 'tcp://h:2375' })).toEqual({ endpoint: 'tcp://h:2375' });
    expect(() => driver.parseConfig({ endpoint: 'http://x' })).toThrow(
      /endpoint must start with tcp:\/\/ or ssh:\/\//,
    );
    const typo = (() => {
      try {
        driver.parseConfig({ endpoint: 'tcp://h', certpath: '/x' });
      } catch (err) {
        return err;
      }
    })();
    expect(typo).toBeInstanceOf(InvalidInput);
    expect((typo as InvalidInput).details).toEqual({ field: 'config.certpath' });
  });

  it('updates hostKey on ssh nodes only and publicAddress anywhere, checking both before either applies', () => {
    const update = dockerNodeDriver({ log: silentLogger }).updateConfig!;
    const fp = 'SHA256:rX5x7WgdvfVw4MParMrbMXbhB9lHzI5DtmPtdbokI2E';
    expect(update({ endpoint: 'ssh://me@h' }, { hostKey: fp, publicAddress: 'B.lan' })).toEqual({
      endpoint: 'ssh://me@h',
      hostKey: fp,
      publicAddress: 'b.lan',
    });
    expect(update({ endpoint: 'ssh://me@h', hostKey: fp }, { hostKey: null })).toEqual({
      endpoint: 'ssh://me@h',
    });
    expect(() => update({ endpoint: 'tcp://h' }, { hostKey: fp })).toThrow(
      /hostKey applies to ssh:\/\/ endpoints only/,
    );
    expect(() =>
      update({ endpoint: 'ssh://me@h' }, { hostKey: fp, publicAddress: 'not an address' }),
    ).toThrow(/publicAddress/);
  });
});

describe('the compose CLI looked for beside the start (issue 20 §5)', () => {
  const sh = (script: string) => [{ command: 'sh', prefix: ['-c', script, 'sh'] }];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

  it('offers compose while the search runs and after it found a CLI, whose calls wait for it', async () => {
    const search = new ComposeCliSearch(silentLogger, sh('sleep 0.3; echo v2.29.1'), env);
    const nodes = new NodeRegistry(silentLogger).register(
      dockerNodeDriver({ log: silentLogger, composeCli: search, childEnv: env }),
    );
    await nodes.open(record('host-b', 'tcp://127.0.0.1:1'), hooks);
    expect(search.mayExist()).toBe(true);
    const compose = nodes.resolve('host-b', 'compose');
    expect(compose.kind).toBe('compose');
    expect((await search.get()).version).toBe('2.29.1');
    expect(nodes.resolve('host-b', 'compose')).toBe(compose);
  });

  it('takes compose away once the search ended with none: a compose template is refused saying why', async () => {
    const search = new ComposeCliSearch(silentLogger, sh('exit 1'), env);
    const nodes = new NodeRegistry(silentLogger).register(
      dockerNodeDriver({ log: silentLogger, composeCli: search, childEnv: env }),
    );
    await nodes.open(record('host-b', 'tcp://127.0.0.1:1'), hooks);
    await expect(search.get()).rejects.toThrow(/no compose CLI/);
    expect(search.mayExist()).toBe(false);
    expect(() => nodes.resolve('host-b', 'compose')).toThrow(/no compose CLI/);
    expect(nodes.describe()).toEqual([
      { node: 'host-b', kind: 'docker', sources: ['image', 'build', 'command'] },
    ]);
  });
});
