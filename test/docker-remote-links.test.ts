import { request } from 'node:http';
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
  startApi,
} from './fixtures/remote-docker.js';
import { tempHome, until, writeTemplate } from './support.js';

// Issue 15 §4: links and the proxy of an instance on a remote node pointed at 127.0.0.1. An
// instance on the second engine (a network namespace) is reached through berth's proxy, by host
// and path form, and its links name the namespace's address. Ports 21000–21099 of the namespace's
// engine are this file's instances; namespace subnets 70–79 (no other test uses them); the API
// and proxy take free ports. Traffic goes only to loopback and the namespace.
const nsName = `dl${process.pid % 100000}`;
const suffix = 70 + (process.pid % 10);
const nsIp = `100.64.${suffix}.2`;

/** busybox httpd answering `hi from <instance>`, with an HTTP health check berth runs itself. */
const FAR_WEB = `name: far-web
source:
  kind: image
  image: ${BUSYBOX}
  command: ["sh", "-c", "mkdir -p /www && echo \\"hi from $BERTH_INSTANCE\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
ports:
  - { name: http, containerPort: 80, preferred: 21000, range: [21000, 21099] }
readiness: { kind: http, port: http, path: / }
health: { http: { port: http, path: / }, intervalSeconds: 0.5, timeoutSeconds: 2, retries: 2 }
restart: { policy: never }
stopTimeoutSeconds: 2
`;

const local = await dockerForTests([BUSYBOX]);
const blocked = local ? await remoteNodeBlocker('remote links and proxy') : 'no Docker';

describe.skipIf(blocked !== undefined)('an instance on a remote node, through berth’s proxy', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let s: ApiServer;
  let hostPort: number;

  /** A GET on berth's proxy port (loopback) with `Host: <host>.localhost`. */
  const viaHost = (host: string, path = '/') =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const port = s.server.proxyPort;
      const req = request(
        { host: '127.0.0.1', port, path, headers: { host: `${host}.localhost:${port}` }, agent: false },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  const viaPath = async (name: string) => {
    const res = await fetch(`http://127.0.0.1:${s.server.proxyPort}/i/${name}/`);
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    const { stdout } = await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    expect(stdout.trim()).toBe(`tcp://${nsIp}:2375`);
    await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
    env = await tempHome('remote-links');
    await writeTemplate(env.templates, 'far-web.yaml', FAR_WEB);
    s = await startApi(env.home, env.templates);
  }, 120_000);

  afterAll(async () => {
    if (s) {
      await s.api('DELETE', '/instances/yonder').catch(() => {});
      await s.server.close();
    }
    await run(remoteDockerScript, ['down', nsName, String(suffix)]).catch(() => {});
    await env?.cleanup();
  }, 60_000);

  it("gives the node its endpoint's host as its address", async () => {
    const added = await s.api('POST', '/nodes', { name: 'far', config: { endpoint: `tcp://${nsIp}:2375` } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ publicAddress: nsIp, publicAddressFrom: 'endpoint' });
    const localNode = (await s.api('GET', '/nodes/local')).body;
    expect(localNode).toMatchObject({ publicAddress: '127.0.0.1', publicAddressFrom: 'local' });
  });

  it('links name the node’s address, and the proxy reaches the instance by host and path form', async () => {
    const created = await s.api('POST', '/instances?wait=1', {
      template: 'far-web',
      name: 'yonder',
      node: 'far',
    });
    expect(created.body.status, JSON.stringify(created.body)).toBe('running');
    const view: Loose = (await s.api('GET', '/instances/yonder')).body;
    hostPort = view.ports.http;
    expect(view.url).toBe(`http://${nsIp}:${hostPort}/`);
    expect(view.links).toEqual([
      {
        port: 'http',
        hostPort,
        primary: true,
        url: `http://${nsIp}:${hostPort}/`,
        proxyUrl: `http://http.yonder.localhost:${s.server.proxyPort}/`,
      },
    ]);
    expect(await (await fetch(view.url)).text()).toBe('hi from yonder\n');
    expect(await viaHost('yonder')).toEqual({ status: 200, text: 'hi from yonder\n' });
    expect(await viaHost('http.yonder')).toEqual({ status: 200, text: 'hi from yonder\n' });
    expect(await viaPath('yonder')).toEqual({ status: 200, text: 'hi from yonder\n' });
    const deployments: Loose = (await s.api('GET', '/instances/yonder/deployments')).body;
    expect(deployments[0]?.url).toBe(`http://${nsIp}:${hostPort}/`);
  }, 90_000);

  it('its health check reaches it at the node’s address (not 127.0.0.1)', async () => {
    const healthy = await until(
      'yonder healthy',
      async () => {
        const i: Loose = (await s.api('GET', '/instances/yonder')).body;
        return i.health === 'healthy' || i.health === 'unhealthy' ? i.health : undefined;
      },
      20_000,
    );
    expect(healthy).toBe('healthy');
  }, 30_000);

  it('a publicAddress set with PATCH is what links and the proxy use; null goes back to the endpoint', async () => {
    const bad = await s.api('PATCH', '/nodes/far', { publicAddress: 'http://far:80' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('publicAddress');
    expect((await s.api('GET', '/nodes/far')).body.publicAddressFrom).toBe('endpoint');

    // Loopback, where nothing of the instance listens: the links say so and the proxy goes there.
    const set = await s.api('PATCH', '/nodes/far', { publicAddress: '127.0.0.1' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ publicAddress: '127.0.0.1', publicAddressFrom: 'setting' });
    expect((await s.api('GET', '/instances/yonder')).body.url).toBe(`http://127.0.0.1:${hostPort}/`);
    await until(
      'the proxy follows the setting',
      async () => ((await viaPath('yonder')).status === 502 ? true : undefined),
      10_000,
    );

    const back = await s.api('PATCH', '/nodes/far', { publicAddress: null });
    expect(back.body).toMatchObject({ publicAddress: nsIp, publicAddressFrom: 'endpoint' });
    expect((await s.api('GET', '/instances/yonder')).body.url).toBe(`http://${nsIp}:${hostPort}/`);
    await until(
      'the proxy is back',
      async () => ((await viaHost('yonder')).status === 200 ? true : undefined),
      10_000,
    );
    expect(await viaPath('yonder')).toEqual({ status: 200, text: 'hi from yonder\n' });

    const local = await s.api('PATCH', '/nodes/local', { publicAddress: '10.0.0.1' });
    expect(local.status).toBe(400);
  }, 60_000);
});
