// Scenario 2: one container instance (berth-test/busybox httpd) → HTTP 200, against the raw Engine
// API create + start of the same image with the same settings (dockerode) → HTTP 200.
// Through berth's API when the server registers a Docker runtime for the local node; otherwise
// DockerRuntime.deploy in-process (said so in the row's notes).
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { berthHome, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import { log, now, onCleanup, quietPorts, summary, tempDir, waitHttp200 } from '../lib/common.mjs';
import { ratio } from './process-start.mjs';

const IMAGE = 'berth-test/busybox:latest';
const BERTH_RANGE = [52000, 52499];
const RAW_BASE = 52500;
const CMD = ['httpd', '-f', '-p', '8080', '-h', '/www'];

async function docker() {
  const { default: Docker } = await import('dockerode');
  const d = new Docker({ socketPath: '/var/run/docker.sock' });
  await d.ping();
  await d.getImage(IMAGE).inspect();
  return d;
}

/** Removes the containers this scenario created, by id. */
function containerJanitor(d) {
  const ids = new Set();
  onCleanup(async () => {
    for (const id of ids)
      await d
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => {});
  });
  return {
    docker: d,
    add: (id) => ids.add(id),
    async remove(id) {
      await d
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => {});
      ids.delete(id);
    },
  };
}

const template = {
  name: 'web',
  source: { kind: 'image', image: IMAGE, command: CMD, init: true },
  ports: [{ name: 'http', containerPort: 8080, preferred: BERTH_RANGE[0], range: BERTH_RANGE }],
  restart: { policy: 'never' },
  stopTimeoutSeconds: 1,
};

export async function containerStart({ reps, warmup }) {
  const d = await docker();
  const janitor = containerJanitor(d);
  const home = await berthHome('s2');
  const server = await startBerth(home);
  let rawPort = RAW_BASE;
  try {
    const nodes = await server.api('GET', '/nodes');
    const viaApi = nodes.find((n) => n.name === 'local')?.runtimes.includes('docker');
    const berthStart = viaApi ? await apiPath(server, janitor) : await runtimePath(d, janitor);

    const raw = async () => {
      const [port] = await quietPorts(rawPort++, 1, 52999);
      const t = now();
      const c = await d.createContainer({
        name: `berth-bench-raw-${randomUUID().slice(0, 8)}`,
        Image: IMAGE,
        Cmd: CMD,
        Labels: { 'berth-bench': 'raw' },
        ExposedPorts: { '8080/tcp': {} },
        HostConfig: {
          Init: true,
          PortBindings: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: String(port) }] },
        },
      });
      janitor.add(c.id);
      await c.start();
      await waitHttp200(port);
      const ms = now() - t;
      await janitor.remove(c.id);
      return ms;
    };

    for (let i = 0; i < warmup; i++) {
      await berthStart(`w${i}`);
      await raw();
    }
    const b = [];
    const r = [];
    for (let i = 0; i < reps; i++) {
      if (i % 2 === 0) {
        b.push(await berthStart(i));
        r.push(await raw());
      } else {
        r.push(await raw());
        b.push(await berthStart(i));
      }
    }
    const bs = summary(b);
    const rs = summary(r);
    log(
      `container start: berth ${bs.median} ms, raw ${rs.median} ms (${viaApi ? 'API' : 'DockerRuntime.deploy'})`,
    );
    return [
      {
        scenario: 'container instance start',
        metric: viaApi ? 'API call → HTTP 200' : 'DockerRuntime.deploy → HTTP 200 (no API path yet)',
        unit: 'ms',
        berth: bs,
        baselines: { 'raw Engine API': rs },
        ratio: { 'raw Engine API': ratio(bs.median, rs.median) },
        measured: `${ratio(bs.median, rs.median)}×`,
        target: '≤ 1.10× raw',
        pass: bs.median <= rs.median * 1.1,
        notes: viaApi
          ? ['through POST /api/v1/instances?wait=1 on a server with the local Docker runtime']
          : [
              'the server does not register a Docker runtime for the local node yet, so this measures DockerRuntime.deploy (image check, container create with berth labels and the data-dir bind mount, start, readiness wait) in-process, without the API and the reconciler',
            ],
      },
    ];
  } finally {
    await stopBerth(server);
  }
}

/** berth's API: create with ?wait=1, then the same HTTP probe as the raw path. */
async function apiPath(server, janitor) {
  await putTemplate(server, template);
  // Whatever berth left behind carries this temporary installation's owner label.
  onCleanup(async () => {
    const left = await janitor.docker.listContainers({
      all: true,
      filters: { label: [`berth.owner=${server.owner}`] },
    });
    for (const c of left) await janitor.remove(c.Id);
  });
  return async (i) => {
    const t = now();
    const inst = await server.api('POST', '/instances?wait=1', { template: 'web', name: `web-${i}` });
    if (inst.status !== 'running')
      throw new Error(`instance ${inst.name} is ${inst.status}: ${inst.errorMessage}`);
    await waitHttp200(inst.ports.http);
    const ms = now() - t;
    await server.api('POST', `/instances/${inst.id}/kill?wait=1`);
    await server.api('DELETE', `/instances/${inst.id}`);
    return ms;
  };
}

/** DockerRuntime.deploy in-process, with a spec built by core's buildDeploySpec. */
async function runtimePath(d, janitor) {
  const { DockerRuntime } = await import('@berth/runtime-docker');
  const { buildDeploySpec, templateSchema, silentLogger } = await import('@berth/core');
  const runtime = new DockerRuntime({
    docker: d,
    node: 'local',
    log: silentLogger,
    address: '127.0.0.1',
    pull: false,
  });
  const tpl = templateSchema.parse(template);
  const root = await tempDir('s2-runtime');
  let port = BERTH_RANGE[0];
  return async (i) => {
    const name = `web-${i}-${randomUUID().slice(0, 6)}`;
    const dataDir = join(root, name);
    await mkdir(dataDir, { recursive: true });
    const inst = {
      id: randomUUID(),
      name,
      template: 'web',
      node: 'local',
      config: {},
      portOverrides: {},
      desiredState: 'running',
      status: 'deploying',
      health: null,
      errorMessage: null,
      restartCount: 0,
      lastExitCode: null,
      nextRetryAt: null,
      currentDeploymentId: null,
      dataDir,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    const hostPort = port++;
    const t = now();
    const spec = buildDeploySpec(
      tpl,
      inst,
      { http: hostPort },
      { owner: 'berth-bench', logDir: join(dataDir, 'logs'), templateDir: null },
    );
    const seen = await runtime.deploy(spec, { timeoutMs: 30_000 });
    janitor.add(seen.handle.id);
    await waitHttp200(hostPort);
    const ms = now() - t;
    await janitor.remove(seen.handle.id);
    return ms;
  };
}
