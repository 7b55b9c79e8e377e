import { writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@berth/core';
import { findDockerEndpoint } from '@berth/runtime-docker';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import type Dockerode from 'dockerode';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGES, buildDocker, ensureDockerRuntime, fixtureCopy } from './build-support.js';
import { freePort, PORT_BLOCKS } from './port-blocks.js';
import { helloTemplate, tempHome, until, writeTemplate } from './support.js';

/**
 * The notification rules that read events other parts of berth record — a node going away and
 * coming back, a build failing and succeeding, a start stopped by a taken port — delivered by a
 * real berth to a local HTTP receiver (generic webhook) and a local SMTP sink (e-mail), once per
 * occurrence. Ports 23500–23599 (test/port-blocks.ts): the templates' 23500–23549, built apps'
 * 23550–23599; berth's API and proxy, the receiver, the SMTP sink and the relay to the engine take
 * port 0.
 */
const [FIRST, LAST] = PORT_BLOCKS['test/notify-rules'];
const docker = await buildDocker();
const TOKEN = 'notify-rules-token';

/** Answers its health check three times, then 500 to every request: unhealthy after 2 failed checks. */
const SICK = [
  'name: sick',
  'source:',
  '  kind: command',
  '  command: node',
  `  args: ["-e", ${JSON.stringify("let n=0;require('http').createServer((q,s)=>{s.statusCode=++n>3?500:200;s.end('x')}).listen(process.env.PORT)")}]`,
  'ports:',
  '  - name: http',
  '    env: PORT',
  `    range: [${FIRST}, ${FIRST + 19}]`,
  'health:',
  '  http: { port: http, path: / }',
  '  intervalSeconds: 0.3',
  '  retries: 2',
  'restart: { policy: never }',
  'stopTimeoutSeconds: 3',
  '',
].join('\n');

interface Received {
  path: string;
  body: { rule: string; title: string; text: string; instance: string | null };
}

/**
 * A TCP relay to the local Docker engine: a docker node through it is the real engine, and
 * `down` cuts every connection (and refuses new ones) the way a host that went away does.
 */
class EngineRelay {
  down = false;
  readonly server: Server;
  private readonly open = new Set<Socket>();

  constructor(target: () => Socket) {
    this.server = createTcpServer((client) => {
      if (this.down) return void client.destroy();
      const engine = target();
      for (const s of [client, engine]) {
        this.open.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => {
          this.open.delete(s);
          client.destroy();
          engine.destroy();
        });
      }
      client.pipe(engine).pipe(client);
    });
  }

  cut(): void {
    this.down = true;
    for (const s of this.open) s.destroy();
  }
}

describe.skipIf(!docker)('notification rules: nodes, builds and port conflicts', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  let receiver: HttpServer;
  let hookBase: string;
  let smtp: SMTPServer;
  let relay: EngineRelay;
  let holder: Server | undefined;
  const received: Received[] = [];
  const mails: string[] = [];

  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  }

  const on = (channel: string, rule: string, about?: RegExp) =>
    received.filter(
      (r) =>
        r.path.startsWith(`/${channel}/`) && r.body.rule === rule && (!about || about.test(r.body.title)),
    );
  const mailed = (subject: RegExp) => mails.filter((m) => subject.test(m));

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(raw) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    hookBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        let data = '';
        stream.on('data', (c) => {
          data += c;
        });
        stream.on('end', () => {
          mails.push(data);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const smtpAddress = smtp.server.address();
    const smtpPort = typeof smtpAddress === 'object' && smtpAddress ? smtpAddress.port : 0;

    const found = await findDockerEndpoint(silentLogger);
    const endpoint = found!.endpoint;
    relay = new EngineRelay(() =>
      endpoint.kind === 'socket'
        ? connect(endpoint.path)
        : connect((endpoint as { port: number }).port, (endpoint as { host: string }).host),
    );
    await new Promise<void>((r) => relay.server.listen(0, '127.0.0.1', r));

    env = await tempHome('notify-rules');
    await writeFile(join(env.home, 'base-images.json'), JSON.stringify(BASE_IMAGES));
    await writeTemplate(env.templates, 'pin.yaml', helloTemplate('pin', FIRST + 20, { width: 30 }));
    await writeTemplate(env.templates, 'sick.yaml', SICK);
    const config = loadServerConfig(
      { home: env.home, templates: env.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
      { BERTH_ADMIN_TOKEN: TOKEN, BERTH_ALLOW_PATHS: tmpdir(), BERTH_BUILD_PORTS: `${FIRST + 50}-${LAST}` },
    );
    // Nodes looked at every quarter second, so a node going away is told within the test's patience.
    server = await startServer(config, { announce: false, nodeWatchMs: 250 });
    await ensureDockerRuntime(server.berth, docker as Dockerode);

    const channels = [
      { name: 'hook', kind: 'webhook', config: { url: `${hookBase}/hook/` } },
      {
        name: 'mail',
        kind: 'email',
        config: { host: '127.0.0.1', port: smtpPort, from: 'berth@example.test', to: ['ops@example.test'] },
      },
      // Every rule off: told of nothing.
      {
        name: 'quiet',
        kind: 'webhook',
        config: { url: `${hookBase}/quiet/` },
        rules: {
          crashLoop: false,
          unhealthy: false,
          nodeUnreachable: false,
          buildFailed: false,
          buildSucceeded: false,
          portConflict: false,
        },
      },
    ];
    for (const c of channels) expect((await api('POST', '/notifications/channels', c)).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    holder?.close();
    for (const i of server?.berth.instances.list() ?? [])
      await server.berth.instances.remove(i.id).catch(() => {});
    await server?.close();
    relay?.server.close();
    receiver?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await env?.cleanup();
  }, 120_000);

  it('a node that goes away is told once, and once more when it is back', async () => {
    const address = relay.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const added = await api('POST', '/nodes', {
      name: 'relay',
      config: { endpoint: `tcp://127.0.0.1:${port}` },
    });
    expect(added.status).toBe(201);

    relay.cut();
    const gone = await until(
      'node-unreachable on the webhook',
      () => on('hook', 'node-unreachable')[0],
      30_000,
    );
    expect(gone.body).toMatchObject({ title: 'node relay is unreachable', instance: null });
    expect(gone.body.text).toMatch(/^node relay is unreachable: /);
    await until('the e-mail', () => mailed(/Subject: \[berth\] node relay is unreachable/)[0], 30_000);

    relay.down = false;
    await until('node-reachable on the webhook', () => on('hook', 'node-reachable')[0], 30_000);
    await until('its e-mail', () => mailed(/Subject: \[berth\] node relay is reachable again/)[0], 30_000);
    // Many looks at the node went by while it was away: one message each way.
    expect(on('hook', 'node-unreachable')).toHaveLength(1);
    expect(on('hook', 'node-reachable')).toHaveLength(1);
    expect(mailed(/Subject: \[berth\] node relay is unreachable/)).toHaveLength(1);
    // The same news is on the event feed, as any subscriber sees it.
    const events = (await api('GET', '/events')).body as { type: string; data: { node?: string } }[];
    expect(events.filter((e) => e.type === 'node.status' && e.data.node === 'relay')).toHaveLength(2);
    expect((await api('DELETE', '/nodes/relay')).status).toBeLessThan(300);
  }, 90_000);

  it('a start stopped by a taken pinned port is told once per refused start', async () => {
    // Pinned to a port free now, which an outsider then takes.
    const port = await freePort(FIRST + 40, FIRST + 49);
    const created = await api('POST', '/instances', {
      template: 'pin',
      name: 'pinned',
      ports: { http: port },
      start: false,
    });
    expect(created.status).toBe(201);
    holder = createTcpServer();
    await new Promise<void>((r) => holder!.listen(port, '127.0.0.1', r));

    expect((await api('POST', '/instances/pinned/start')).status).toBe(409);
    const told = await until('port-conflict on the webhook', () => on('hook', 'port-conflict')[0], 20_000);
    expect(told.body).toMatchObject({ instance: 'pinned', title: 'pinned did not start: a port is taken' });
    expect(told.body.text).toContain(`port ${port} (http) is in use by`);
    await until('the e-mail', () => mailed(/Subject: \[berth\] pinned did not start/)[0], 20_000);

    expect((await api('POST', '/instances/pinned/start')).status).toBe(409);
    await until(
      'the second refusal',
      () => (on('hook', 'port-conflict').length === 2 ? true : undefined),
      20_000,
    );
    await until('its e-mail', () =>
      mailed(/Subject: \[berth\] pinned did not start/).length === 2 ? true : undefined,
    );
  }, 60_000);

  it('a failed build and a build that succeeds are each told once', async () => {
    const failing = await api('POST', '/builds', {
      source: await fixtureCopy('build-failing-dockerfile'),
      name: 'broken',
    });
    expect(failing.status).toBe(202);
    const failed = await until('build-failed on the webhook', () => on('hook', 'build-failed')[0], 120_000);
    expect(failed.body).toMatchObject({ title: 'build of broken failed', instance: null });
    expect(failed.body.text).toMatch(/^build of broken failed: /);
    await until('the e-mail', () => mailed(/Subject: \[berth\] build of broken failed/)[0], 30_000);

    const good = await api('POST', '/builds', {
      source: await fixtureCopy('build-static-site'),
      name: 'site',
    });
    expect(good.status).toBe(202);
    const done = await until(
      'build-succeeded on the webhook',
      () => on('hook', 'build-succeeded')[0],
      240_000,
    );
    expect(done.body).toMatchObject({ title: 'build of site succeeded', instance: 'site' });
    await until('the e-mail', () => mailed(/Subject: \[berth\] build of site succeeded/)[0], 30_000);

    expect(on('hook', 'build-failed')).toHaveLength(1);
    expect(on('hook', 'build-succeeded')).toHaveLength(1);
    expect(mailed(/Subject: \[berth\] build of /)).toHaveLength(2);
  }, 300_000);

  it('an instance turning unhealthy is told once per time it turns so', async () => {
    expect((await api('POST', '/instances', { template: 'sick', name: 'sick-1' })).status).toBe(201);
    const told = await until('unhealthy on the webhook', () => on('hook', 'unhealthy')[0], 30_000);
    expect(told.body).toMatchObject({ instance: 'sick-1', title: 'sick-1 is unhealthy' });
    await until('the e-mail', () => mailed(/Subject: \[berth\] sick-1 is unhealthy/)[0], 30_000);
    expect((await api('POST', '/instances/sick-1/stop?wait=1')).status).toBe(200);
    const events = (await api('GET', '/events?instance=sick-1')).body as {
      type: string;
      data: { to?: string };
    }[];
    const turns = events.filter((e) => e.type === 'instance.health' && e.data.to === 'unhealthy').length;
    expect(turns).toBeGreaterThan(0);
    await until('one message per turn', () => (on('hook', 'unhealthy').length === turns ? true : undefined));
    await until('one e-mail per turn', () =>
      mailed(/Subject: \[berth\] sick-1 is unhealthy/).length === turns ? true : undefined,
    );
  }, 60_000);

  it('a channel with every rule off was told of none of it', () => {
    expect(received.filter((r) => r.path.startsWith('/quiet/'))).toEqual([]);
  });
});
