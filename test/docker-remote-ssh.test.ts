import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker } from '@berth/runtime-docker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests } from './fixtures/docker-engine.js';
import {
  type ApiServer,
  copyImage,
  remoteDockerScript,
  remoteNodeBlocker,
  run,
  serveTemplate,
  startApi,
} from './fixtures/remote-docker.js';
import { tempHome, writeTemplate } from './support.js';

// Ports 40250–40499 of the namespace's engine are this file's instances; the API takes any free port.
const nsName = `ds${process.pid % 100000}`;
const suffix = 220 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;
const SSH_PORT = 2222;

const local = await dockerForTests([BUSYBOX]);
const blocked = local
  ? await remoteNodeBlocker('ssh remote node', ['/usr/sbin/sshd', '/usr/bin/ssh-keygen'])
  : 'no Docker';

describe.skipIf(blocked !== undefined)(
  'a remote Docker node over ssh (sshd + dockerd in a network namespace)',
  () => {
    let env: Awaited<ReturnType<typeof tempHome>>;
    let keys: string;
    let sshdPid: number | undefined;
    let s: ApiServer;
    const endpoint = `ssh://root@${nsIp}:${SSH_PORT}`;

    beforeAll(async () => {
      keys = await mkdtemp(join(tmpdir(), 'berth-ssh-'));
      const keygen = (file: string) =>
        run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, file)]);
      await Promise.all([keygen('ssh_host_ed25519_key'), keygen('client'), keygen('stranger')]);
      await copyFile(join(keys, 'client.pub'), join(keys, 'authorized_keys'));
      const { stdout } = await run(remoteDockerScript, ['up', nsName, String(suffix)]);
      expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
      sshdPid = Number(
        (await run(remoteDockerScript, ['sshd', nsName, String(SSH_PORT), keys])).stdout.trim(),
      );
      expect(sshdPid).toBeGreaterThan(0);
      await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
      env = await tempHome('docker-ssh');
      await writeTemplate(env.templates, 'sweb.yaml', serveTemplate('sweb', [40250, 40499]));
      s = await startApi(env.home, env.templates);
    }, 120_000);

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
    }, 60_000);

    it('is added through the API as ssh://root@host:port with a key file; its test reports the engine version', async () => {
      const added = await s.api('POST', '/nodes', {
        name: 'ssh-b',
        config: { endpoint, sshKey: join(keys, 'client') },
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ name: 'ssh-b', status: 'ready', endpoint, runtimes: ['docker'] });
      const test = await s.api('POST', '/nodes/ssh-b/test');
      expect(test.body).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
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
      expect((await s.api('POST', `/instances/${id}/stop?wait=1`)).body).toMatchObject({ status: 'stopped' });
      expect((await s.api('POST', `/instances/${id}/start?wait=1`)).body).toMatchObject({
        status: 'running',
      });
      expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe('hi from far\n');
      expect((await s.api('DELETE', `/instances/${id}`)).status).toBe(204);
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
        expect((await s.api('POST', '/nodes', { name, config })).status).toBe(201);
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
