// Scenario 2: one container instance (berth-test/busybox httpd) → HTTP 200 through berth's API
// (POST /instances?wait=1: preflight, lease, create, start, readiness, records), against the raw
// Engine API create + start of the same image with the same settings (dockerode) → HTTP 200.
// Both wait for readiness as berth's Docker runtime does: berth inside `?wait=1`, the raw side
// with berth's own `waitForReadiness` (runtime-docker: inspect + a connect to the container's
// bridge address, 5 ms doubling to 25 ms); then both take the bench's GET / → 200 once.
import { randomUUID } from 'node:crypto';
import { berthHome, putTemplate, startBerth, stopBerth } from '../lib/berth.mjs';
import { log, now, onCleanup, quietPorts, summary, waitHttp200 } from '../lib/common.mjs';
import { ratio } from './process-start.mjs';

const IMAGE = 'berth-test/busybox:latest';
// Below the kernel's ephemeral range (bench/README.md, "Ports").
const BERTH_RANGE = [15200, 15299];
const RAW_RANGE = [15300, 15399];
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
  let rawPort = RAW_RANGE[0];
  const readyLikeBerth = await dockerReadiness();
  try {
    const nodes = await server.api('GET', '/nodes');
    if (!nodes.find((n) => n.name === 'local')?.runtimes.includes('docker')) {
      throw new Error('the berth server has no Docker runtime on node local (is the engine reachable?)');
    }
    const berthStart = await apiPath(server, janitor);

    const raw = async () => {
      if (rawPort > RAW_RANGE[1]) rawPort = RAW_RANGE[0];
      const [port] = await quietPorts(rawPort++, 1, RAW_RANGE[1]);
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
      await readyLikeBerth(c, port);
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
    log(`container start: berth ${bs.median} ms, raw ${rs.median} ms (API)`);
    return [
      {
        scenario: 'container instance start',
        metric: 'API call → HTTP 200',
        unit: 'ms',
        berth: bs,
        baselines: { 'raw Engine API': rs },
        ratio: { 'raw Engine API': ratio(bs.median, rs.median) },
        raw: ['raw Engine API'],
        measured: `${ratio(bs.median, rs.median)}×`,
        target: '≤ 1.10× raw',
        pass: bs.median <= rs.median * 1.1,
        notes: ['through POST /api/v1/instances?wait=1 on a server with the local Docker runtime'],
      },
    ];
  } finally {
    await stopBerth(server);
  }
}

/**
 * The raw side's readiness wait: berth's Docker runtime's own `waitForReadiness` (not exported by
 * @berth/runtime-docker, so loaded from its built file), with what berth's local runtime gives it —
 * the port the template's first tcp port is published on, the local address, and one shared
 * "container IPs answer from here" flag that its first look settles, as berth's runtime holds one.
 */
async function dockerReadiness() {
  const { waitForReadiness } = await import(
    new URL('../../packages/runtime-docker/dist/wait-for-readiness.js', import.meta.url).href
  );
  const { silentLogger } = await import('@berth/core');
  const direct = { works: undefined };
  return (container, port) =>
    waitForReadiness({
      container,
      spec: {
        instanceName: `raw-${port}`,
        readiness: { kind: 'port', port },
        readinessTimeoutMs: 30_000,
        ports: [{ name: 'http', protocol: 'tcp', hostPort: port, containerPort: 8080 }],
      },
      address: '127.0.0.1',
      log: silentLogger,
      direct,
    });
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
