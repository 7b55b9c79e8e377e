import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker } from '@berth/runtime-docker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests } from './fixtures/docker-engine.js';
import {
  type ApiServer,
  copyImage,
  type Loose,
  remoteDockerScript,
  remoteNodeBlocker,
  run,
  serveTemplate,
  startApi,
} from './fixtures/remote-docker.js';
import { tempHome, until, writeTemplate } from './support.js';

const CLI = join(import.meta.dirname, '..', 'apps', 'cli', 'dist', 'main.js');

// Ports 40250–40499 of the namespace's engine are this file's instances; the API takes any free port.
const nsName = `ds${process.pid % 100000}`;
const suffix = 220 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;
const SSH_PORT = 2222;

const local = await dockerForTests([BUSYBOX]);
const blocked = local
  ? await remoteNodeBlocker('ssh remote node', ['/usr/sbin/sshd', '/usr/bin/ssh-keygen'])
  : 'no Docker';

// Every Engine call here is an ssh channel running the docker CLI on the host: seconds each on a
// busy two-core machine, where this file took 5½ minutes and its instance tests passed the 60 s
// default. The caps below bound a hang; nothing is timed.
describe.skipIf(blocked !== undefined)(
  'a remote Docker node over ssh (sshd + dockerd in a network namespace)',
  { timeout: 180_000 },
  () => {
    let env: Awaited<ReturnType<typeof tempHome>>;
    let keys: string;
    let sshdPid: number | undefined;
    let s: ApiServer;
    const endpoint = `ssh://root@${nsIp}:${SSH_PORT}`;
    /** The sshd's host key as `ssh-keygen -lf` prints it, and a key the host does not have. */
    let hostFp: string;
    let otherFp: string;
    /** The server's BERTH_SSH_KNOWN_HOSTS: a setting read once as it starts, so the tests change the file. */
    let knownHosts: string;
    /** Nodes opened from here on check these known_hosts lines (a file that does not exist: none, trust on first use). */
    const useKnownHosts = async (file: string) => {
      await rm(knownHosts, { force: true });
      await copyFile(file, knownHosts).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    };
    const cli = async (...args: string[]) =>
      run(process.execPath, [CLI, ...args], {
        env: { ...process.env, BERTH_URL: s.server.apiUrl, BERTH_TOKEN: 'remote-node-token' },
      }).catch((err: { stdout: string; stderr: string; code: number }) => err);

    beforeAll(async () => {
      keys = await mkdtemp(join(tmpdir(), 'berth-ssh-'));
      const keygen = (file: string) =>
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, file)]);
      await Promise.all([keygen('ssh_host_ed25519_key'), keygen('client'), keygen('stranger')]);
      await copyFile(join(keys, 'client.pub'), join(keys, 'authorized_keys'));
      const fingerprint = async (pub: string) =>
        (await run('ssh-keygen', ['-lf', join(keys, pub)])).stdout.split(' ')[1]!;
      [hostFp, otherFp] = await Promise.all([
        fingerprint('ssh_host_ed25519_key.pub'),
        fingerprint('stranger.pub'),
      ]);
      expect(hostFp).toMatch(/^SHA256:/);
      // Not this user's ~/.ssh/known_hosts: a file that does not exist, so nodes trust on first use.
      knownHosts = join(keys, 'known_hosts');
      await useKnownHosts(join(keys, 'no_known_hosts'));
      const { stdout } = await run(remoteDockerScript, ['up', nsName, String(suffix)]);
      expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
      sshdPid = Number(
        (await run(remoteDockerScript, ['sshd', nsName, String(SSH_PORT), keys])).stdout.trim(),
      );
      expect(sshdPid).toBeGreaterThan(0);
      await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
      env = await tempHome('docker-ssh');
      await writeTemplate(env.templates, 'sweb.yaml', serveTemplate('sweb', [40250, 40499]));
      s = await startApi(env.home, env.templates, { BERTH_SSH_KNOWN_HOSTS: knownHosts });
    }, 240_000);

    afterAll(async () => {
      await s?.server.close();
      if (sshdPid) {
        try {
          process.kill(sshdPid, 'SIGTERM');
        } catch {}
      }
      await run(remoteDockerScript, ['down', nsName]).catch(() => {});
      await env?.cleanup();
      if (keys) await rm(keys, { recursive: true, force: true });
    }, 120_000);

    it('is added through the API as ssh://root@host:port with a key file; its test reports the engine version', async () => {
      const added = await s.api('POST', '/nodes', {
        name: 'ssh-b',
        config: { endpoint, sshKey: join(keys, 'client') },
      });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      expect(added.body).toMatchObject({
        name: 'ssh-b',
        status: 'ready',
        endpoint,
        runtimes: ['docker'],
        hostKey: { fingerprint: hostFp, from: 'node', recorded: true },
      });
      const test = await s.api('POST', '/nodes/ssh-b/test');
      expect(test.body).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
    });

    it('trusts an unknown host key on first use: records it on the node, says so once, and shows it', async () => {
      // ssh-b was added with no hostKey and no known_hosts entry: its first connection recorded the key.
      const added = await s.api('GET', '/nodes/ssh-b');
      expect(added.body.hostKey).toMatchObject({ fingerprint: hostFp, from: 'node' });
      expect(s.server.berth.store.nodes.find('ssh-b')?.config.hostKey).toBe(hostFp);
      const test = await s.api('POST', '/nodes/ssh-b/test');
      expect(test.body).toMatchObject({ ok: true, hostKey: { fingerprint: hostFp, recorded: false } });
      // The CLI says it when it happens.
      const said = await cli('node', 'add', 'tofu', endpoint, '--ssh-key', join(keys, 'client'));
      expect(said.stdout, JSON.stringify(said)).toContain('added node tofu');
      expect(said.stdout).toContain(`trusted it on first use and recorded it on the node: ${hostFp}`);
      const listed = JSON.parse((await cli('node', 'ls', '--json')).stdout) as Loose[];
      expect(listed.find((n) => n.name === 'tofu')?.hostKey).toEqual({
        fingerprint: hostFp,
        from: 'node',
        recorded: false,
      });
      expect((await s.api('DELETE', '/nodes/tofu')).status).toBe(204);
    });

    it('runs an instance there that answers on the host’s address; logs, stop and start work through ssh', async () => {
      const created = await s.api('POST', '/instances?wait=1', {
        template: 'sweb',
        name: 'far',
        node: 'ssh-b',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'running', node: 'ssh-b' });
      const { id } = created.body;
      const port = created.body.ports.http as number;
      expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe('hi from far\n');
      const logs = await s.api('GET', `/instances/${id}/logs?tail=10`);
      expect(JSON.stringify(logs.body)).toContain('serving');
      const stopped = await s.api('POST', `/instances/${id}/stop?wait=1`);
      expect(stopped.body, JSON.stringify(stopped.body)).toMatchObject({ status: 'stopped' });
      const started = await s.api('POST', `/instances/${id}/start?wait=1`);
      expect(started.body, JSON.stringify(started.body)).toMatchObject({ status: 'running' });
      expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe('hi from far\n');
      expect((await s.api('DELETE', `/instances/${id}`)).status).toBe(204);
    });

    it('holds a recorded key: another key makes the node and its instances unreachable (hostkey), the right one brings them back', async () => {
      const created = await s.api('POST', '/instances?wait=1', {
        template: 'sweb',
        name: 'keyed',
        node: 'ssh-b',
      });
      expect(created.body).toMatchObject({ status: 'running' });
      const { id } = created.body;
      // As if the host had been reinstalled: the node expects another key than the host's.
      const changed = await s.api('PATCH', '/nodes/ssh-b', { hostKey: otherFp });
      expect(changed.body).toMatchObject({ status: 'unreachable', hostKey: { fingerprint: otherFp } });
      const test = await s.api('POST', '/nodes/ssh-b/test');
      expect(test.body).toEqual({
        ok: false,
        reason: 'hostkey',
        message: `the host key of ${nsIp}:${SSH_PORT} is ${hostFp} (ssh-ed25519), but the node expects ${otherFp} — if the host was reinstalled, update the node's hostKey (berth node host-key ssh-b SHA256:…)`,
      });
      const cut = await until('instance keyed unreachable', async () => {
        const i = (await s.api('GET', `/instances/${id}`)).body;
        return i.status === 'unreachable' ? i : undefined;
      });
      expect(JSON.stringify(cut)).toContain('the host key of');
      const viaCli = await cli('node', 'test', 'ssh-b');
      expect(viaCli.code).not.toBe(0);
      expect(viaCli.stdout).toContain(`ssh-b: hostkey: the host key of ${nsIp}:${SSH_PORT} is ${hostFp}`);
      // The operator checked the key and sets it.
      const fixed = await cli('node', 'host-key', 'ssh-b', hostFp);
      expect(fixed.stdout).toContain(`node ssh-b now expects the ssh host key ${hostFp}; status ready`);
      await until('instance keyed running again', async () => {
        const i = (await s.api('GET', `/instances/${id}`)).body;
        return i.status === 'running' ? i : undefined;
      });
      expect(await (await fetch(`http://${nsIp}:${created.body.ports.http}/`)).text()).toBe(
        'hi from keyed\n',
      );
      expect((await s.api('DELETE', `/instances/${id}`)).status).toBe(204);
      // Forgotten, the next connection trusts and records the key again.
      const forgot = await s.api('PATCH', '/nodes/ssh-b', { hostKey: null });
      expect(forgot.body).toMatchObject({
        status: 'ready',
        hostKey: { fingerprint: hostFp, recorded: true },
      });
    });

    it('refuses a host whose key is not the hostKey given at add, with reason hostkey; the right one is accepted', async () => {
      const pinnedWrong = {
        name: 'pinned-wrong',
        config: { endpoint, sshKey: join(keys, 'client'), hostKey: otherFp },
      };
      const refused = await s.api('POST', '/nodes', pinnedWrong);
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).toContain(`but the node expects ${otherFp}`);
      const wrong = await s.api('POST', '/nodes', { ...pinnedWrong, force: true });
      expect(wrong.status).toBe(201);
      expect(wrong.body).toMatchObject({
        status: 'unreachable',
        message: expect.stringMatching(/^the host key of/),
      });
      expect((await s.api('POST', '/nodes/pinned-wrong/test')).body).toMatchObject({
        ok: false,
        reason: 'hostkey',
        message: expect.stringContaining(`is ${hostFp} (ssh-ed25519), but the node expects ${otherFp}`),
      });
      const right = await cli(
        'node',
        'add',
        'pinned',
        endpoint,
        '--ssh-key',
        join(keys, 'client'),
        '--host-key',
        hostFp,
        '--json',
      );
      expect(JSON.parse(right.stdout)).toMatchObject({
        status: 'ready',
        hostKey: { fingerprint: hostFp, from: 'node', recorded: false },
      });
      for (const [name, body, says] of [
        ['pinned', { hostKey: 'SHA256:nope' }, /SHA256/],
        ['local', { hostKey: hostFp }, /node local is this machine/],
        ['no-such-node', { hostKey: hostFp }, /no-such-node/],
      ] as const) {
        const res = await s.api('PATCH', `/nodes/${name}`, body);
        expect(res.status).toBe(name === 'no-such-node' ? 404 : 400);
        expect(JSON.stringify(res.body)).toMatch(says);
      }
      const badFlag = await cli('node', 'add', 'badflag', endpoint, '--host-key', 'MD5:aa:bb');
      expect(badFlag.code).not.toBe(0);
      expect(badFlag.stderr).toMatch(/SHA256/);
      for (const name of ['pinned-wrong', 'pinned'])
        expect((await s.api('DELETE', `/nodes/${name}`)).status).toBe(204);
    });

    it('checks a host known_hosts lists (plain or hashed entries): the right key works, another is refused', async () => {
      const hostPub = (await readFile(join(keys, 'ssh_host_ed25519_key.pub'), 'utf8'))
        .split(' ')
        .slice(0, 2)
        .join(' ');
      const strangerPub = (await readFile(join(keys, 'stranger.pub'), 'utf8'))
        .split(' ')
        .slice(0, 2)
        .join(' ');
      const good = join(keys, 'known_hosts_good');
      const hashed = join(keys, 'known_hosts_hashed');
      const bad = join(keys, 'known_hosts_bad');
      await writeFile(good, `# this host\n[${nsIp}]:${SSH_PORT} ${hostPub}\n`);
      await writeFile(hashed, `[${nsIp}]:${SSH_PORT} ${hostPub}\n`);
      await run('ssh-keygen', ['-H', '-f', hashed]);
      expect(await readFile(hashed, 'utf8')).toMatch(/^\|1\|/);
      await writeFile(bad, `[${nsIp}]:${SSH_PORT} ${strangerPub}\n`);
      try {
        for (const [name, file] of [
          ['kh-good', good],
          ['kh-hashed', hashed],
        ] as const) {
          await useKnownHosts(file);
          const added = await s.api('POST', '/nodes', {
            name,
            config: { endpoint, sshKey: join(keys, 'client') },
          });
          expect(added.body).toMatchObject({
            status: 'ready',
            hostKey: { fingerprint: hostFp, from: 'known_hosts', recorded: false },
          });
          // known_hosts decides: nothing is recorded on the node.
          expect(s.server.berth.store.nodes.find(name)?.config.hostKey).toBeUndefined();
        }
        await useKnownHosts(bad);
        expect(
          (
            await s.api('POST', '/nodes', {
              name: 'kh-bad',
              config: { endpoint, sshKey: join(keys, 'client') },
              force: true,
            })
          ).status,
        ).toBe(201);
        expect((await s.api('POST', '/nodes/kh-bad/test')).body).toEqual({
          ok: false,
          reason: 'hostkey',
          message: `the host key of ${nsIp}:${SSH_PORT} is ${hostFp} (ssh-ed25519), but ${knownHosts} lists ${otherFp} (ssh-ed25519, line 1) for [${nsIp}]:${SSH_PORT} — if the host was reinstalled, remove the old entry (ssh-keygen -R '[${nsIp}]:${SSH_PORT}' -f ${knownHosts})`,
        });
        expect(s.server.berth.store.nodes.find('kh-bad')?.config.hostKey).toBeUndefined();
      } finally {
        await useKnownHosts(join(keys, 'no_known_hosts'));
      }
      for (const name of ['kh-good', 'kh-hashed', 'kh-bad'])
        expect((await s.api('DELETE', `/nodes/${name}`)).status).toBe(204);
    });

    it('says refused, dns or unauthorized for a closed port, an unknown host or a key the host does not know', async () => {
      const cases: [string, Record<string, unknown>, string, RegExp][] = [
        [
          'closed',
          { endpoint: `ssh://root@${nsIp}:2223`, sshKey: join(keys, 'client') },
          'refused',
          /ECONNREFUSED/,
        ],
        [
          'nowhere',
          { endpoint: 'ssh://root@no-such-host.invalid', sshKey: join(keys, 'client') },
          'dns',
          /ENOTFOUND/,
        ],
        [
          'stranger',
          { endpoint, sshKey: join(keys, 'stranger') },
          'unauthorized',
          /^ssh: the server accepted none of berth's credentials/,
        ],
      ];
      for (const [name, config, reason, message] of cases) {
        const refused = await s.api('POST', '/nodes', { name, config });
        expect(refused.status).toBe(422);
        expect(refused.body.error.message).toMatch(
          new RegExp(message.source.replace(/^\^/, 'was not added: ')),
        );
        expect((await s.api('POST', '/nodes?force=1', { name, config })).status).toBe(201);
        const test = await s.api('POST', `/nodes/${name}/test`);
        expect(test.status).toBe(200);
        expect(test.body).toMatchObject({ ok: false, reason, message: expect.stringMatching(message) });
        expect((await s.api('DELETE', `/nodes/${name}`)).status).toBe(204);
      }
    });

    it('refuses a key file that does not exist, naming the field', async () => {
      const res = await s.api('POST', '/nodes', {
        name: 'nokey',
        config: { endpoint, sshKey: join(keys, 'missing') },
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/sshKey file .*missing cannot be read/);
    });
  },
);
