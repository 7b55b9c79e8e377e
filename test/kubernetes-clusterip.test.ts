import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { FakeKube } from '@berth/fake-kube';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeUnavailable } from './kube-berth.js';
import { tempHome, until, writeTemplate } from './support.js';

/**
 * Issue 13 §4: a kubernetes node with `serviceType: ClusterIP` publishes nothing (no NodePort is
 * taken) and berth's proxy reaches its instances through the API server's service proxy; a
 * template with `data: { persistent: true }` keeps its data in a PersistentVolumeClaim across
 * redeploys, the instance detail says so, export prints the claim; `rm` deletes it as it deletes a
 * local data directory, `rm --keep-data` leaves it and `gc` then lists and deletes it.
 * Ports: the API and the proxy on port 0; nothing else binds (ClusterIP Services only).
 */
const IMAGE = 'berth-test/node:20';
const STORE = `const fs = require('fs');
require('http').createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname.endsWith('/write')) fs.writeFileSync('/data/v', u.searchParams.get('v'));
  const value = fs.existsSync('/data/v') ? fs.readFileSync('/data/v', 'utf8') : null;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ path: req.url, value, auth: req.headers.authorization ?? null, imp: req.headers['impersonate-user'] ?? null, host: req.headers['x-forwarded-host'] ?? null }));
}).listen(8080);`;
const template = (name: string, data: string) => `name: ${name}
source:
  kind: image
  image: ${IMAGE}
  command: ["node", "-e", ${JSON.stringify(STORE)}]
  volumes: [{ target: /data }]
ports:
  - { name: http, containerPort: 8080, preferred: 8080 }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
${data}
`;

const why = await kubeUnavailable([IMAGE]);

interface Answer {
  status: number;
  body: string;
}
function get(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(why)(
  'a ClusterIP kubernetes node behind berth’s proxy, with persistent data (fake-kube)',
  () => {
    let kube: FakeKube;
    let env: Awaited<ReturnType<typeof tempHome>>;
    let server: RunningServer;
    const auth = { authorization: 'Bearer test-token' };
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
        method,
        headers: body !== undefined ? { ...auth, 'content-type': 'application/json' } : auth,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return {
        status: res.status,
        text,
        json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
      };
    };
    const viaProxy = async (host: string, path = '/') => {
      // berth's token and a header only the API server acts on (impersonation) never pass through.
      const r = await get(server.proxyPort, path, {
        host,
        authorization: 'Bearer test-token',
        'impersonate-user': 'system:admin',
      });
      expect(r.status, r.body).toBe(200);
      return JSON.parse(r.body) as {
        path: string;
        value: string | null;
        auth: string | null;
        host: string | null;
      };
    };
    const untilRunning = (name: string) =>
      until(
        `${name} running`,
        () => {
          const i = server.berth.instances.get(name);
          if (i.status === 'error') throw new Error(`${name} failed: ${i.errorMessage}`);
          return i.status === 'running' || undefined;
        },
        60_000,
      );

    beforeAll(async () => {
      kube = await FakeKube.start({ backoffMs: 500, storageClasses: ['standard', 'fast'] });
      env = await tempHome('kube-clusterip');
      await writeFile(join(env.home, 'kubeconfig'), kube.kubeconfig());
      await writeTemplate(
        env.templates,
        'kdata.yaml',
        template('kdata', 'data: { persistent: true, size: 256Mi }'),
      );
      await writeTemplate(env.templates, 'kplain.yaml', template('kplain', ''));
      const config = loadServerConfig(
        { home: env.home, templates: env.templates, port: 0, proxyPort: 0, logLevel: 'silent' },
        { BERTH_ADMIN_TOKEN: 'test-token' },
      );
      server = await startServer(config, { announce: false });
    }, 60_000);

    afterAll(async () => {
      for (const i of server?.berth.instances.list() ?? [])
        await server.berth.instances.remove(i.id, { volumes: true }).catch(() => {});
      await server?.close();
      await kube?.close();
      await env?.cleanup();
    }, 60_000);

    it('is added through the API with --service-type clusterip and a default storage class; it takes no NodePort space', async () => {
      const bad = await api('POST', '/nodes', {
        name: 'bad',
        kind: 'kubernetes',
        config: { kubeconfig: join(env.home, 'kubeconfig'), serviceType: 'LoadBalancer' },
      });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('serviceType');
      const added = await api('POST', '/nodes', {
        name: 'kube',
        kind: 'kubernetes',
        config: { kubeconfig: join(env.home, 'kubeconfig'), serviceType: 'clusterip', storageClass: 'fast' },
      });
      expect(added.status, added.text).toBe(201);
      expect(server.berth.runtimes.range(server.berth.runtimes.hostOf('kube'))).toBeUndefined();
    });

    it('serves the instance at <name>.localhost and /i/<name>/ through the API server, berth’s token never reaching it', async () => {
      const made = await api('POST', '/instances', { template: 'kdata', name: 'kd', node: 'kube' });
      expect(made.status, made.text).toBe(201);
      await untilRunning('kd');
      const svc = kube.store.list('services', 'default')[0]!;
      expect(svc.spec).toMatchObject({ type: 'ClusterIP' });
      expect((svc.spec as { ports: { nodePort?: number }[] }).ports[0]?.nodePort).toBeUndefined();

      const hostForm = await viaProxy('kd.localhost:1', '/write?v=kept');
      expect(hostForm).toMatchObject({
        path: '/write?v=kept',
        value: 'kept',
        auth: null,
        imp: null,
        host: 'kd.localhost:1',
      });
      const pathForm = await viaProxy('127.0.0.1', '/i/kd/hello?x=1');
      expect(pathForm).toMatchObject({ path: '/hello?x=1', value: 'kept', auth: null });
    });

    it('says in the instance detail which data it has: the claim (size, class) or an emptyDir', async () => {
      const detail = await api('GET', '/instances/kd');
      expect(detail.json.data).toMatchObject({
        kind: 'persistentVolumeClaim',
        size: '256Mi',
        storageClass: 'fast',
        summary: expect.stringMatching(/^PersistentVolumeClaim kd-[0-9a-f]{6} \(256Mi, class fast\)$/),
      });
      const plain = await api('POST', '/instances', {
        template: 'kplain',
        name: 'kp',
        node: 'kube',
        start: false,
      });
      expect(plain.json.data).toEqual({
        kind: 'emptyDir',
        claim: null,
        size: null,
        storageClass: null,
        summary: 'emptyDir (lost when the pod goes)',
      });
      const local = await api('POST', '/instances', { template: 'kplain', name: 'kl', start: false });
      expect(local.json.data).toBeNull();
    });

    it('keeps the claim across a restart (the data is still there) and export prints it', async () => {
      const restarted = await api('POST', '/instances/kd/restart?wait=true');
      expect(restarted.status, restarted.text).toBe(200);
      await untilRunning('kd');
      expect((await viaProxy('kd.localhost')).value).toBe('kept');
      const yaml = await api('GET', '/instances/kd/manifest?format=kubernetes');
      expect(yaml.text).toContain('kind: PersistentVolumeClaim');
      expect(yaml.text).toContain('storageClassName: fast');
      expect(yaml.text).toContain('type: ClusterIP');
      expect(yaml.text).not.toContain('nodePort');
    });

    it('rm --volumes deletes the claim, and only that one', async () => {
      expect(kube.store.list('persistentvolumeclaims', 'default')).toHaveLength(1);
      const removed = await api('DELETE', '/instances/kd?volumes=1');
      expect(removed.status, removed.text).toBe(204);
      expect(kube.store.list('persistentvolumeclaims', 'default')).toEqual([]);
    });

    const claimsOf = (instance: string) =>
      kube.store
        .list('persistentvolumeclaims', 'default')
        .filter((c) => c.metadata?.labels?.['berth.instance'] === instance);

    it('a plain rm deletes the claim too, as it deletes a local data directory', async () => {
      const made = await api('POST', '/instances', { template: 'kdata', name: 'kr', node: 'kube' });
      expect(made.status, made.text).toBe(201);
      await untilRunning('kr');
      expect(claimsOf('kr')).toHaveLength(1);
      const removed = await api('DELETE', '/instances/kr');
      expect(removed.status, removed.text).toBe(204);
      expect(claimsOf('kr')).toEqual([]);
    });

    it('rm --keep-data leaves the claim; gc lists it as data of no instance and deletes it, and only it', async () => {
      for (const name of ['kk', 'kstay']) {
        const made = await api('POST', '/instances', { template: 'kdata', name, node: 'kube' });
        expect(made.status, made.text).toBe(201);
        await untilRunning(name);
      }
      const removed = await api('DELETE', '/instances/kk?keepData=1');
      expect(removed.status, removed.text).toBe(204);
      expect(claimsOf('kk')).toHaveLength(1);

      const orphans = await api('GET', '/orphans');
      expect(orphans.json).toEqual([
        expect.objectContaining({ node: 'kube', runtime: 'kubernetes', kind: 'data', instanceName: 'kk' }),
      ]);
      const dry = await api('POST', '/gc', { dryRun: true });
      expect(dry.json.removed).toHaveLength(1);
      expect(claimsOf('kk')).toHaveLength(1);
      const gc = await api('POST', '/gc', {});
      expect(gc.json).toMatchObject({
        dryRun: false,
        failed: [],
        removed: [{ kind: 'data', instanceName: 'kk' }],
      });
      expect(claimsOf('kk')).toEqual([]);
      // The claim of an instance berth still has is its data, never an orphan.
      expect(claimsOf('kstay')).toHaveLength(1);
      expect((await api('GET', '/orphans')).json).toEqual([]);
    });
  },
);
