import { connectDocker } from '@berth/runtime-docker';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests } from './fixtures/docker-engine.js';
import {
  type ApiServer,
  copyImage,
  type Loose,
  remoteDockerScript,
  remoteNodeBlocker,
  run,
  startApi,
} from './fixtures/remote-docker.js';
import { tempHome, until, writeTemplate } from './support.js';

// Ports 8250–8299 belong to this file (it publishes none: its instance only sleeps).
const nsName = `vi${process.pid % 100000}`;
const suffix = 40 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;
/** A tag berth-test/busybox has on neither engine until the test gives it to the remote one. */
const REMOTE_TAG = 'berth-test/busybox:versions-remote';

const BOX = `name: vbox
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sleep", "3600"]
  versions:
    v1: { tag: latest }
    v2: { tag: versions-remote }
stopTimeoutSeconds: 1
restart: { policy: never }
`;

const local = await dockerForTests([BUSYBOX]);
const blocked = local ? await remoteNodeBlocker('versions on a remote node') : 'no Docker';

/**
 * Issue 16 §2 on a second engine: an image version's presence is looked for on each node's own
 * engine (the docker node's driver gives berth its images), install and remove act there, and a
 * node that stops answering says so in the view instead of failing it.
 */
describe.skipIf(blocked !== undefined)("image versions on a remote Docker node's engine", () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let s: ApiServer;
  let remote: Dockerode;

  const versions = async (node?: string): Promise<Loose[]> => {
    const res = await s.api('GET', `/templates/vbox/versions${node ? `?node=${node}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const v2 = async (node?: string) => (await versions(node)).find((v) => v.name === 'v2');

  beforeAll(async () => {
    const { stdout } = await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
    remote = connectDocker({ kind: 'tcp', host: nsIp, port: 2375 });
    await copyImage(local!, remote, BUSYBOX);
    await local!
      .getImage(REMOTE_TAG)
      .remove()
      .catch(() => {});
    env = await tempHome('versions-remote');
    await writeTemplate(env.templates, 'vbox.yaml', BOX);
    s = await startApi(env.home, env.templates);
    const added = await s.api('POST', '/nodes', { name: 'far', config: { endpoint: `tcp://${nsIp}:2375` } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
  }, 120_000);

  afterAll(async () => {
    if (s) {
      await s.api('DELETE', '/instances/yonder').catch(() => {});
      await s.server.close();
    }
    await run(remoteDockerScript, ['down', nsName, String(suffix)]).catch(() => {});
    await env?.cleanup();
  }, 60_000);

  it('looks for a pinned version on the node its instance is placed on, beside node local', async () => {
    const created = await s.api('POST', '/instances', {
      template: 'vbox',
      name: 'yonder',
      node: 'far',
      version: 'v2',
      start: false,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const list = await versions();
    expect(list.map((v) => [v.name, v.image, v.installed, v.usedBy, v.nodes])).toEqual([
      ['v1', BUSYBOX, true, [], [{ node: 'local', installed: true, note: null }]],
      [
        'v2',
        REMOTE_TAG,
        false,
        ['yonder'],
        [
          { node: 'local', installed: false, note: null },
          { node: 'far', installed: false, note: null },
        ],
      ],
    ]);
    // Asked about the remote node, the top-level answer is its own.
    expect((await versions('far')).find((v) => v.name === 'v1')).toMatchObject({
      installed: true,
      nodes: [
        { node: 'local', installed: true },
        { node: 'far', installed: true },
      ],
    });
  });

  it('installs on that node: the pull goes to its engine (no registry here: it says why), then an image given to it counts', async () => {
    const pull = await s.api('POST', '/templates/vbox/versions/v2/install?node=far');
    expect(pull.status, JSON.stringify(pull.body)).toBe(422);
    expect(pull.body.error.code).toBe('INSTALL_FAILED');
    expect(pull.body.error.message).toMatch(
      /^install of version v2 of vbox failed: image berth-test\/busybox:versions-remote could not be pulled on node far: .+/,
    );
    // Loaded into the remote engine from an image it holds (offline: no registry to pull from).
    await remote.getImage(BUSYBOX).tag({ repo: 'berth-test/busybox', tag: 'versions-remote' });
    expect(await v2('far')).toMatchObject({
      installed: true,
      nodes: [
        { node: 'local', installed: false },
        { node: 'far', installed: true, note: null },
      ],
    });
    // Installed there already: left alone (no pull), and said so.
    const again = await s.api('POST', '/templates/vbox/versions/v2/install?node=far');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ name: 'v2', installed: true });
    await expect(local!.getImage(REMOTE_TAG).inspect()).rejects.toThrow();
  });

  it('runs the instance there on it, refuses to remove it while pinned, then removes the tag from that engine', async () => {
    const started = await s.api('POST', '/instances/yonder/start?wait=1');
    expect(started.body.status, JSON.stringify(started.body)).toBe('running');
    const [container] = await remote.listContainers({ filters: { name: ['yonder'] } });
    expect(container?.Image).toBe(REMOTE_TAG);
    const refused = await s.api('DELETE', '/templates/vbox/versions/v2?node=far');
    expect(refused.status).toBe(409);
    expect((await s.api('DELETE', '/instances/yonder')).status).toBe(204);
    const removed = await s.api('DELETE', '/templates/vbox/versions/v2?node=far');
    expect(removed.status, JSON.stringify(removed.body)).toBe(204);
    await expect(remote.getImage(REMOTE_TAG).inspect()).rejects.toThrow();
    expect((await v2('far')).installed).toBe(false);
  });

  it('a node that stops answering is "unreachable" in the view (200), and an install there is refused saying why', async () => {
    await run('ip', ['link', 'del', `vbh-${nsName}`]);
    const far = await until(
      'far unreachable in the view',
      async () => {
        const found = (await v2('far')).nodes.find((n: Loose) => n.node === 'far');
        return found.installed === null ? found : undefined;
      },
      15_000,
    );
    expect(far.note).toMatch(/^node far is unreachable: .+/);
    expect((await v2('far')).installed).toBeNull();
    const install = await s.api('POST', '/templates/vbox/versions/v2/install?node=far');
    expect(install.status, JSON.stringify(install.body)).toBe(422);
    expect(install.body.error.message).toMatch(/could not be pulled on node far/);
  });
});
