import { get } from 'node:http';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBerth, tempHome, writeTemplate } from './support.js';

// Ports 10200–10399 belong to this file.
//
// A port berth chose can be taken between its look at the machine and the program's bind (an
// outgoing connection's ephemeral port, a program that starts at the same moment). The program
// here plays that: its first run fails the way Node does when the port is taken; later runs listen.
const FLAKY = [
  "const fs=require('fs');",
  "if(!fs.existsSync('tried')){fs.writeFileSync('tried','');",
  "console.error('Error: listen EADDRINUSE: address already in use :::'+process.env.PORT);process.exit(1)}",
  "require('http').createServer((q,s)=>s.end('up on '+process.env.PORT)).listen(process.env.PORT)",
].join('');

function template(name: string, from: number): string {
  return [
    `name: ${name}`,
    'source:',
    '  kind: command',
    '  command: node',
    `  args: ["-e", ${JSON.stringify(FLAKY)}]`,
    'ports:',
    '  - name: http',
    '    env: PORT',
    `    preferred: ${from}`,
    `    range: [${from}, ${from + 99}]`,
    'readiness: { kind: port, port: http }',
    'restart: { policy: never }',
    '',
  ].join('\n');
}

function body(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

describe('a port taken between the choice and the bind', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('bind-race');
    await writeTemplate(env.templates, 'flaky.yaml', template('flaky', 10200));
    await writeTemplate(env.templates, 'pinned.yaml', template('pinned', 10300));
    berth = await openBerth(env.home, env.templates);
  });

  afterAll(async () => {
    for (const i of berth.instances.list()) await berth.instances.remove(i.id).catch(() => undefined);
    await berth.close();
    await env.cleanup();
  });

  it('is re-chosen when berth chose it: the instance runs on another port, and says why', async () => {
    const inst = await berth.instances.create({ template: 'flaky', name: 'flaky-1' }, { wait: true });
    expect(inst.status).toBe('running');
    const port = berth.instances.ports(inst.id).http!;
    expect(port).not.toBe(10200);
    expect(port).toBeGreaterThan(10200);
    expect(port).toBeLessThan(10300);
    expect(await body(port)).toBe(`up on ${port}`);
    const events = berth.store.events.list({ instanceId: inst.id }).map((e) => e.message);
    expect(events.some((m) => /port http moved from 10200 to \d+: .*address already in use/i.test(m))).toBe(
      true,
    );
    // one lease, on the new port
    expect(berth.store.leases.listByOwner(inst.id).map((l) => l.port)).toEqual([port]);
  });

  it('is not moved when the operator pinned it: the deploy fails with the reason', async () => {
    await expect(
      berth.instances.create(
        { template: 'pinned', name: 'pinned-1', ports: { http: 10350 } },
        { wait: true },
      ),
    ).rejects.toThrow(/address already in use/i);
    const inst = berth.instances.get('pinned-1');
    expect(inst.status).toBe('error');
    expect(inst.errorMessage ?? '').toMatch(/address already in use/i);
    expect(berth.instances.ports(inst.id).http).toBe(10350);
  });
});
