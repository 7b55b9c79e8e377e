import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDocker, dockerNodeEndpoint } from '@berth/runtime-docker';
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
  tlsCertsScript,
} from './fixtures/remote-docker.js';
import { tempHome, writeTemplate } from './support.js';

// Ports 40010–40249 of the namespace's engine are this file's instances; the API takes any free port.
const nsName = `dt${process.pid % 100000}`;
const suffix = 200 + (process.pid % 20);
const nsIp = `100.64.${suffix}.2`;

const local = await dockerForTests([BUSYBOX]);
const blocked = local ? await remoteNodeBlocker('TLS remote node', ['/usr/bin/openssl']) : 'no Docker';

describe.skipIf(blocked !== undefined)(
  'a remote Docker node over TLS (dockerd --tlsverify in a network namespace)',
  () => {
    let env: Awaited<ReturnType<typeof tempHome>>;
    let certs: string;
    let s: ApiServer;
    const good = () => ({
      ca: join(certs, 'good', 'ca.pem'),
      cert: join(certs, 'good', 'cert.pem'),
      key: join(certs, 'good', 'key.pem'),
    });
    const other = (file: string) => join(certs, 'other', file);

    beforeAll(async () => {
      certs = await mkdtemp(join(tmpdir(), 'berth-tls-'));
      // The engine's CA and certificates, and a second, unrelated CA with its own client certificate.
      await run(tlsCertsScript, [join(certs, 'good'), nsIp]);
      await run(tlsCertsScript, [join(certs, 'other'), nsIp]);
      const { stdout } = await run(remoteDockerScript, [
        'up',
        nsName,
        String(suffix),
        '--tls',
        join(certs, 'good'),
      ]);
      expect(stdout.trim()).toBe(`tcp://${nsIp}:2376`);
      const remote = connectDocker(
        await dockerNodeEndpoint({ endpoint: `tcp://${nsIp}:2376`, certPath: join(certs, 'good') }),
      );
      await copyImage(local!, remote, BUSYBOX);
      env = await tempHome('docker-tls');
      await writeTemplate(env.templates, 'tweb.yaml', serveTemplate('tweb', [40010, 40249]));
      s = await startApi(env.home, env.templates);
    }, 120_000);

    afterAll(async () => {
      await s?.server.close();
      await run(remoteDockerScript, ['down', nsName]).catch(() => {});
      await env?.cleanup();
      if (certs) await rm(certs, { recursive: true, force: true });
    }, 60_000);

    it('is added through the API with its certificate files; its test reports the engine version', async () => {
      const added = await s.api('POST', '/nodes', {
        name: 'tls-b',
        config: { endpoint: `tcp://${nsIp}:2376`, tls: good() },
      });
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ name: 'tls-b', status: 'ready', endpoint: `tcp://${nsIp}:2376` });
      expect(JSON.stringify(added.body)).not.toContain('PRIVATE KEY');
      const test = await s.api('POST', '/nodes/tls-b/test');
      expect(test.body).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
    });

    it('takes a cert folder (ca.pem, cert.pem, key.pem) as well', async () => {
      const added = await s.api('POST', '/nodes', {
        name: 'tls-folder',
        config: { endpoint: `tcp://${nsIp}:2376`, certPath: join(certs, 'good') },
      });
      expect(added.status).toBe(201);
      expect((await s.api('POST', '/nodes/tls-folder/test')).body).toMatchObject({ ok: true });
      expect((await s.api('DELETE', '/nodes/tls-folder')).status).toBe(204);
    });

    it('runs an instance there that answers on the node’s address', async () => {
      const created = await s.api('POST', '/instances?wait=1', {
        template: 'tweb',
        name: 'far',
        node: 'tls-b',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'running', node: 'tls-b' });
      const port = created.body.ports.http as number;
      expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe('hi from far\n');
      const logs = await s.api('GET', `/instances/${created.body.id}/logs?tail=10`);
      expect(JSON.stringify(logs.body)).toContain('serving');
      expect((await s.api('DELETE', `/instances/${created.body.id}`)).status).toBe(204);
    });

    it('says TLS, in words, when the CA is wrong, the client certificate is not trusted, or no certificates are given', async () => {
      const cases: [string, Record<string, unknown>, RegExp][] = [
        [
          'wrong-ca',
          { tls: { ...good(), ca: other('ca.pem') } },
          /^TLS: the engine's certificate is not signed by the node's CA/,
        ],
        [
          'foreign-client',
          { tls: { ca: good().ca, cert: other('cert.pem'), key: other('key.pem') } },
          /^TLS: the engine rejected berth's client certificate/,
        ],
        ['no-certs', {}, /^TLS: the engine only talks TLS; give the node its certificates/],
      ];
      for (const [name, config, message] of cases) {
        const body = { name, config: { endpoint: `tcp://${nsIp}:2376`, ...config } };
        const refused = await s.api('POST', '/nodes', body);
        expect(refused.status).toBe(422);
        expect(refused.body.error.message).toMatch(new RegExp(`was not added: ${message.source.slice(1)}`));
        const added = await s.api('POST', '/nodes?force=1', body);
        expect(added.status).toBe(201);
        expect(added.body).toMatchObject({ status: 'unreachable', message: expect.stringMatching(message) });
        const test = await s.api('POST', `/nodes/${name}/test`);
        expect(test.status).toBe(200);
        expect(test.body).toMatchObject({
          ok: false,
          reason: 'tls',
          message: expect.stringMatching(message),
        });
        expect((await s.api('DELETE', `/nodes/${name}`)).status).toBe(204);
      }
    });
  },
);
