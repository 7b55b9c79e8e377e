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
