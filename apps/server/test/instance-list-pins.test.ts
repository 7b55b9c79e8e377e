// The instance list shows each instance's ports as the instance's own answer does, however long
// the list: a pin still waiting for a start (its port held, so not leased yet) is listed too. A
// list of 50 or more reads its leases in one query; the waiting pins must come with them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from './test-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [echoTemplate('pins', [26400, 26499])] });
});
afterAll(() => t?.close());

type Listed = { name: string; ports: Record<string, number> };

it('lists a waiting pin in a list of 50 or more, as GET /instances/:name shows it', async () => {
  const create = async (body: object) => expect((await t.api('POST', '/instances', body)).status).toBe(201);
  await create({ template: 'pins', name: 'holder', ports: { http: 26450 }, start: false });
  await create({ template: 'pins', name: 'waiting', ports: { http: 26450 }, start: false });
  for (let i = 1; i <= 49; i++) await create({ template: 'pins', name: `more-${i}`, start: false });
  const list = (await t.api('GET', '/instances')).body as Listed[];
  expect(list.length).toBeGreaterThanOrEqual(50);
  const one = (await t.api('GET', '/instances/waiting')).body as Listed;
  expect(one.ports).toEqual({ http: 26450 });
  for (const inst of list.filter((i) => ['holder', 'waiting', 'more-7'].includes(i.name))) {
    expect(inst.ports, inst.name).toEqual((await t.api('GET', `/instances/${inst.name}`)).body.ports);
  }
  expect(list.find((i) => i.name === 'waiting')?.ports).toEqual({ http: 26450 });
});

it('lists each instance as its own answer shows it, through starts, stops, template edits and port moves', async () => {
  // The list keeps each instance's JSON and makes it again only when what it is made of changed
  // (InstanceListCache): every change here must show in the list as in GET /instances/:name.
  const sameAsOwn = async (when: string) => {
    const list = (await t.api('GET', '/instances')).body as Listed[];
    for (const inst of list.filter((i) => ['holder', 'waiting', 'more-1', 'more-2'].includes(i.name)))
      expect(inst, `${inst.name} ${when}`).toEqual((await t.api('GET', `/instances/${inst.name}`)).body);
  };
  await sameAsOwn('at first');
  expect((await t.api('POST', '/instances/more-1/start?wait=1')).status).toBe(200);
  await sameAsOwn('after a start');
  const { template } = (await t.api('GET', '/templates/pins')).body;
  // Not proxied any more: every instance's links go, while no instance record changes.
  const edited = { ...template, ports: [{ ...template.ports[0], http: false }] };
  expect((await t.api('PUT', '/templates/pins', edited)).status).toBe(200);
  await sameAsOwn('after a template edit');
  expect(((await t.api('GET', '/instances')).body as { links: unknown[] }[])[0]?.links).toEqual([]);
  expect((await t.api('PATCH', '/instances/more-1', { env: { EXTRA: 'x' } })).status).toBe(200);
  const listed = (await t.api('GET', '/instances')).body as (Listed & { unappliedChanges: string[] })[];
  expect(listed.find((i) => i.name === 'more-1')?.unappliedChanges).toEqual(['env.EXTRA']);
  await sameAsOwn('after an edit not applied');
  expect((await t.api('POST', '/instances/more-2/port-override', { name: 'http', port: 26470 })).status).toBe(
    200,
  );
  await sameAsOwn('after a port override');
  expect((await t.api('POST', '/instances/more-1/stop?wait=1')).status).toBe(200);
  await sameAsOwn('after a stop');
});
