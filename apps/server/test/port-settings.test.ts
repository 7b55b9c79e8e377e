import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from '../../../test/port-blocks.js';
import { loadServerConfig, type RunningServer, startServer } from '../src/index.js';

const [FROM, TO] =
  PORT_BLOCKS['server/port-settings (the global range a test sets; leases only, nothing binds)'];
const TOKEN = 'port-settings-token';

/** The kernel's ephemeral range as the server reads it. */
function ephemeral(): [number, number] {
  const [a, b] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  return [a!, b!];
}

/**
 * Issue 16 §6: the global allocation range and the reserved ranges are settings — read and
 * replaced through the API (admin), checked (a 400 naming the field), saved in the database
 * (a restart keeps them) and followed by the next lease without a restart.
 */
describe('port range settings', () => {
  const home = mkdtempSync(join(tmpdir(), 'berth-port-settings-'));
  let server: RunningServer;

  const open = async () => {
    const config = loadServerConfig(
      { home, port: 0, proxyPort: 0, logLevel: 'silent' },
      { BERTH_ADMIN_TOKEN: TOKEN, BERTH_RESERVED_PORTS: `${FROM + 40}-${TO}` },
    );
    server = await startServer(config, { announce: false });
  };
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  /** An instance (not started) of a template whose port has no range of its own: its lease. */
  const leaseOfNew = async (name: string) => {
    const made = await api('POST', '/instances', { template: 'anyport', name, start: false });
    expect(made.status).toBe(201);
    return made.body.ports.http as number;
  };

  beforeAll(async () => {
    await open();
    const template = {
      name: 'anyport',
      source: { kind: 'command', command: process.execPath, args: ['-e', 'setInterval(()=>{},1000)'] },
      ports: [{ name: 'http', env: 'PORT' }],
    };
    expect((await api('POST', '/templates', template)).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("shows the ranges in force and where they come from: the default range, the environment's reserved ones", async () => {
    const res = await api('GET', '/settings/ports');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      globalSource: 'default',
      reserved: [{ from: FROM + 40, to: TO, reason: 'reserved by BERTH_RESERVED_PORTS' }],
      reservedSource: 'environment',
      ephemeral: { from: ephemeral()[0], to: ephemeral()[1] },
    });
  });

  it('refuses a bad range with a 400 naming the field, and saves nothing', async () => {
    const before = (await api('GET', '/settings/ports')).body;
    const backwards = await api('PUT', '/settings/ports', { globalRange: { from: TO, to: FROM } });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toContain('globalRange.from');
    const same = await api('PUT', '/settings/ports', { globalRange: { from: FROM, to: FROM } });
    expect(same.status).toBe(400);
    const outside = await api('PUT', '/settings/ports', { globalRange: { from: 0, to: 70000 } });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toMatch(/globalRange\.(from|to)/);
    const [eFrom, eTo] = ephemeral();
    const inside = await api('PUT', '/settings/ports', { globalRange: { from: eFrom + 10, to: eTo - 10 } });
    expect(inside.status).toBe(400);
    expect(inside.body.error.message).toMatch(/globalRange .* lies inside the kernel's ephemeral range/);
    const badReserved = await api('PUT', '/settings/ports', {
      reserved: [{ from: FROM + 5, to: FROM, reason: 'x' }],
    });
    expect(badReserved.status).toBe(400);
    expect(badReserved.body.error.message).toContain('reserved[0].from');
    const noReason = await api('PUT', '/settings/ports', { reserved: [{ from: FROM, to: FROM + 1 }] });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toContain('reason');
    expect((await api('GET', '/settings/ports')).body).toEqual(before);
  });

  it('a new range and reserved ranges take effect for the next lease, without a restart', async () => {
    const set = await api('PUT', '/settings/ports', {
      globalRange: { from: FROM, to: TO },
      reserved: [{ from: FROM, to: FROM + 9, reason: 'the test keeps these' }],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      globalRange: { from: FROM, to: TO },
      globalSource: 'setting',
      reservedSource: 'setting',
      warnings: [],
    });
    const port = await leaseOfNew('any-1');
    expect(port).toBeGreaterThanOrEqual(FROM + 10);
    expect(port).toBeLessThanOrEqual(TO);
    const info = (await api('GET', '/info')).body;
    expect(info.portRange).toMatchObject({ from: FROM, to: TO, why: expect.stringMatching(/set through/) });
    const free = (await api('GET', '/ports/free?count=1')).body;
    expect(free.ports[0]).toBeGreaterThanOrEqual(FROM);
    expect(free.ports[0]).toBeLessThanOrEqual(TO);
  });

  it('is kept across a restart, and null goes back to the environment and the default', async () => {
    await server.close();
    await open();
    const again = (await api('GET', '/settings/ports')).body;
    expect(again).toMatchObject({ globalRange: { from: FROM, to: TO }, globalSource: 'setting' });
    expect(again.reserved).toEqual([{ from: FROM, to: FROM + 9, reason: 'the test keeps these' }]);
    expect(await leaseOfNew('any-2')).toBeGreaterThanOrEqual(FROM + 10);
    const reset = await api('PUT', '/settings/ports', { globalRange: null, reserved: null });
    expect(reset.body).toMatchObject({ globalSource: 'default', reservedSource: 'environment' });
    expect(reset.body.globalRange.from).not.toBe(FROM);
  });

  it('accepts a range that overlaps the ephemeral range, with a warning', async () => {
    const [eFrom] = ephemeral();
    const res = await api('PUT', '/settings/ports', { globalRange: { from: eFrom - 500, to: eFrom + 500 } });
    expect(res.status).toBe(200);
    expect(res.body.warnings).toEqual([expect.stringMatching(/overlaps the kernel's ephemeral range/)]);
    await api('PUT', '/settings/ports', { globalRange: null });
  });
});
