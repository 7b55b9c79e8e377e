import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '@berth/core';
import { ComposeCli, connectDocker } from '@berth/runtime-docker';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSYBOX, dockerForTests, requireDocker } from './fixtures/docker-engine.js';
import {
  copyImage,
  remoteDockerScript,
  remoteNodeBlocker,
  run,
  serveTemplate,
} from './fixtures/remote-docker.js';
import { openBerth, tempHome, until, writeTemplate } from './support.js';

// Issue 19 §10: a Docker engine that restarts must not spend an instance's restart budget, nor
// get deployed into while it shuts down — a container's nor a compose project's. Ports 11600–11799
// of the namespace's engine belong to this file.
const nsName = `er${process.pid % 100000}`;
// 100–139: no other remote-node test uses these subnets.
const suffix = 100 + (process.pid % 40);
const nsIp = `100.64.${suffix}.2`;
const pidFile = `/run/brd-${nsName}.pid`;

const local = await dockerForTests([BUSYBOX]);
const cli = local ? await ComposeCli.find(silentLogger) : undefined;
if (local && !cli && requireDocker) throw new Error('BERTH_REQUIRE_DOCKER=1 but no compose CLI was found');
const blocked = !local ? 'no Docker' : !cli ? 'no compose CLI' : await remoteNodeBlocker('engine restart');

/** One compose service answering `hi from <instance>`, its host port given by berth in EC_PORT. */
const COMPOSE = `services:
  web:
    image: ${BUSYBOX}
    init: true
    environment: [BERTH_INSTANCE]
    command: ["sh", "-c", "mkdir -p /www && echo \\"hi from $$BERTH_INSTANCE\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "\${EC_PORT:-11700}:80"
`;

const COMPOSE_TEMPLATE = `name: ecomp
source: { kind: compose, file: ecomp/compose.yml, service: web }
ports:
  - { name: http, env: EC_PORT, containerPort: 80, preferred: 11700, range: [11700, 11799] }
readiness: { kind: http, port: http, path: / }
stopTimeoutSeconds: 2
restart: { policy: always, maxRetries: 2, backoffSeconds: 1 }
`;

describe.skipIf(blocked !== undefined)('a remote engine that restarts', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;
  let id = '';
  let composeId = '';

  beforeAll(async () => {
    await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    await copyImage(local!, connectDocker({ kind: 'tcp', host: nsIp, port: 2375 }), BUSYBOX);
    env = await tempHome('engine-restart');
    const template = serveTemplate('eweb', [11600, 11799]).replace(
      'stopTimeoutSeconds: 2',
      'stopTimeoutSeconds: 2\nrestart: { policy: always, maxRetries: 2, backoffSeconds: 1 }',
    );
    await writeTemplate(env.templates, 'eweb.yaml', template);
    // In a folder of its own: every YAML file of the templates folder is read as a template.
    await mkdir(join(env.templates, 'ecomp'), { recursive: true });
    await writeTemplate(join(env.templates, 'ecomp'), 'compose.yml', COMPOSE);
    await writeTemplate(env.templates, 'ecomp.yaml', COMPOSE_TEMPLATE);
    berth = await openBerth(env.home, env.templates);
    await berth.nodes.add({ name: 'far', config: { endpoint: `tcp://${nsIp}:2375` } });
    id = (await berth.instances.create({ template: 'eweb', name: 'e1', node: 'far' }, { wait: true })).id;
    composeId = (await berth.instances.create({ template: 'ecomp', name: 'c1', node: 'far' }, { wait: true }))
      .id;
  }, 120_000);

  afterAll(async () => {
    await run(remoteDockerScript, ['up', nsName, String(suffix)]).catch(() => {});
    if (berth) {
      if (id) await berth.instances.remove(id).catch(() => {});
      if (composeId) await berth.instances.remove(composeId).catch(() => {});
      await berth.close();
    }
    await run(remoteDockerScript, ['down', nsName]).catch(() => {});
    await env?.cleanup();
  }, 90_000);

  it('engine stopped (SIGTERM): no restart attempt spent, no deploy into it, one step to unreachable; back: running again', async () => {
    const both = [
      { id, name: 'e1' },
      { id: composeId, name: 'c1' },
    ];
    for (const i of both) expect(berth.instances.get(i.id).status).toBe('running');
    const since = Date.now();
    const events = (of: string) => berth.store.events.list({ instanceId: of }).filter((e) => e.ts >= since);
    const statusesOf = (of: string) =>
      events(of)
        .filter((e) => e.type === 'instance.status')
        .map((e) => (e.data as { to: string }).to);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    await until('dockerd gone', async () => !(await readFile(`/proc/${pid}/comm`).catch(() => null)), 60_000);
    await until(
      'instances unreachable',
      () => both.every((i) => berth.instances.get(i.id).status === 'unreachable'),
      10_000,
    ).catch(() => undefined); // the checks below say what happened instead
    // A few ticks with the engine gone.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const i of both) {
      expect({ [i.name]: events(i.id).filter((e) => e.type === 'instance.restart') }).toEqual({
        [i.name]: [],
      });
      expect({ [i.name]: statusesOf(i.id) }).toEqual({ [i.name]: ['unreachable'] });
      expect(berth.instances.get(i.id).restartCount).toBe(0);
    }

    await run(remoteDockerScript, ['up', nsName, String(suffix)]);
    for (const i of both) {
      const back = await until(
        `${i.name} running again`,
        () => {
          const inst = berth.instances.get(i.id);
          return inst.status === 'running' ? inst : undefined;
        },
        60_000,
      );
      expect(back.restartCount).toBe(0);
      const port = berth.instances.ports(i.id).http!;
      expect(await (await fetch(`http://${nsIp}:${port}/`)).text()).toBe(`hi from ${i.name}\n`);
      expect({ [i.name]: events(i.id).filter((e) => e.type === 'instance.restart') }).toEqual({
        [i.name]: [],
      });
      expect({ [i.name]: statusesOf(i.id) }).toEqual({ [i.name]: ['unreachable', 'deploying', 'running'] });
    }
  });
});
