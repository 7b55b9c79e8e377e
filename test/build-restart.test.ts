import type Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDocker, buildServiceFor, fixtureCopy, httpText } from './build-support.js';
import { openBerth, tempHome } from './support.js';

/** A built app outlives the berth that built it: records, template and instance are there after a restart. Ports 10800–10899. */
const docker = await buildDocker();

describe.skipIf(!docker)('a built app across a restart of berth', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  it('keeps running, is adopted, and can be redeployed by the next berth', async () => {
    const home = await tempHome('build-restart');
    cleanup.push(() => home.cleanup());
    const first = await openBerth(home.home, home.templates);
    const builds = await buildServiceFor(first, docker as Dockerode, [10800, 10899]);
    const record = await builds.wait(
      (await builds.create({ source: await fixtureCopy('build-static-site') })).id,
    );
    cleanup.push(() => (docker as Dockerode).getImage(record.image).remove({ force: true }));
    expect(record.status).toBe('done');
    const port = first.instances.ports(record.instanceId as string).http as number;
    await builds.close();
    await first.close();

    expect((await httpText(port)).status).toBe(200);
    const second = await openBerth(home.home, home.templates);
    cleanup.push(() => second.close());
    cleanup.push(() => second.instances.remove(record.instanceId as string));
    const again = await buildServiceFor(second, docker as Dockerode, [10800, 10899]);
    expect(await again.recover()).toBe(0);
    expect((await again.list()).map((b) => [b.id, b.status])).toEqual([[record.id, 'done']]);
    expect(second.instances.get(record.instanceId as string).status).toBe('running');
    expect(second.instances.ports(record.instanceId as string).http).toBe(port);

    await again.redeploy(record.id);
    const redeployed = await again.wait(record.id);
    expect(redeployed).toMatchObject({ status: 'done', attempt: 2, instanceId: record.instanceId });
    expect((await httpText(port)).body).toContain('static site served by berth');
  });
});
