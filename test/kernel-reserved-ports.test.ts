import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatPorts, parsePorts, RESERVED_PORTS_FILE } from '@berth/host';
import { type Berth, createBerth, loadServerConfig } from '@berth/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from './port-blocks.js';
import { helloTemplate, tempHome, writeTemplate } from './support.js';

/**
 * BERTH_RESERVE_PORTS=1 keeps berth's leased ports in the kernel's real
 * net.ipv4.ip_local_reserved_ports (this network namespace's), and never removes the operator's
 * own entries. Every port used lies in this file's block (test/port-blocks.ts), below the kernel's
 * ephemeral range, so the entries change nothing for other programs; the list is put back after.
 */
const [FROM, TO] = PORT_BLOCKS['test/kernel-reserved-ports'];
// The template leases from FROM…FROM+19; the operator's own entries and a stale one lie above.
const OPERATOR = [TO - 19, TO - 14, TO - 13];
const STALE = TO;
const isRoot = process.getuid?.() === 0;

/** The kernel answers only the first read of the list: read it whole in one. */
function kernelList(): Set<number> {
  const fd = openSync(RESERVED_PORTS_FILE, 'r');
  try {
    const buf = Buffer.alloc(400 * 1024);
    return parsePorts(buf.subarray(0, readSync(fd, buf, 0, buf.length, null)).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

/** Our block's entries only: other entries are whatever the machine had. */
const ours = () => [...kernelList()].filter((p) => p >= FROM && p <= TO).sort((a, b) => a - b);

function open(home: string, templates: string, reserve: boolean): Promise<Berth> {
  const env = { BERTH_ADMIN_TOKEN: 'test-token', ...(reserve ? { BERTH_RESERVE_PORTS: '1' } : {}) };
  const config = loadServerConfig({ home, templates, port: 0, proxyPort: 0 }, env);
  return createBerth(config, { log: pino({ level: 'silent' }), tickMs: 200 });
}

// As root (this machine, CI) the real list is changed; as another user the refusal is what is tested.
if (isRoot) describe("leased ports in the kernel's reserved ports (root)", rootCases);
else describe('BERTH_RESERVE_PORTS=1 without root', refusalCases);

function rootCases() {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth | undefined;
  const original = kernelList();

  beforeAll(async () => {
    env = await tempHome('kernel-ports');
    await writeTemplate(env.templates, 'kr.yaml', helloTemplate('kr', FROM, { width: 20 }));
  });

  afterAll(async () => {
    await berth?.close();
    writeFileSync(RESERVED_PORTS_FILE, formatPorts(original));
    await env.cleanup();
  });

  it('at start, puts the leases held in the list and takes out ports berth added for leases gone since, keeping the operator’s', async () => {
    // A lease taken while the setting was off, then a previous run's entry whose lease is gone.
    const off = await open(env.home, env.templates, false);
    const held = await off.instances.create({ template: 'kr', name: 'held', start: false });
    const heldPort = off.instances.ports(held.id).http!;
    await off.close();
    writeFileSync(RESERVED_PORTS_FILE, formatPorts([...original, ...OPERATOR, STALE]));
    await writeFile(join(env.home, 'kernel-reserved-ports.json'), JSON.stringify({ added: [STALE] }));

    berth = await open(env.home, env.templates, true);
    expect(ours()).toEqual([heldPort, ...OPERATOR].sort((a, b) => a - b));
    const state = JSON.parse(await readFile(join(env.home, 'kernel-reserved-ports.json'), 'utf8'));
    expect(state.added).toEqual([heldPort]);
  });

  it('adds a port when it is leased and takes it out when it is released; other entries stay', async () => {
    const b = berth!;
    const before = kernelList();
    const inst = await b.instances.create({ template: 'kr', name: 'fresh', start: false });
    const port = b.instances.ports(inst.id).http!;
    expect(before.has(port)).toBe(false);
    expect(kernelList().has(port)).toBe(true);
    await b.instances.remove(inst.id);
    expect(kernelList().has(port)).toBe(false);
    expect(kernelList()).toEqual(before);
    for (const p of original) expect(kernelList().has(p)).toBe(true);
  });

  it('moves the entry with a pin, and leaves an entry the operator had when berth releases the port', async () => {
    const b = berth!;
    const inst = await b.instances.create({ template: 'kr', name: 'pinned', start: false });
    const chosen = b.instances.ports(inst.id).http!;
    const mine = OPERATOR[0]!;
    await b.instances.overridePort(inst.id, 'http', mine);
    expect(b.instances.ports(inst.id).http).toBe(mine);
    expect(kernelList().has(chosen)).toBe(false);
    expect(kernelList().has(mine)).toBe(true);
    await b.instances.remove(inst.id);
    expect(ours()).toEqual(expect.arrayContaining(OPERATOR));
  });

  it('follows hand-made reservations too', async () => {
    const b = berth!;
    const port = TO - 5;
    await b.ledger.reserve('local', port, 'kept by hand');
    expect(kernelList().has(port)).toBe(true);
    b.ledger.unreserve('local', port);
    expect(kernelList().has(port)).toBe(false);
  });
}

function refusalCases() {
  it('refuses to start, saying why', async () => {
    const env = await tempHome('kernel-ports-user');
    try {
      await expect(open(env.home, env.templates, true)).rejects.toThrow(/BERTH_RESERVE_PORTS=1 needs root/);
    } finally {
      await env.cleanup();
    }
  });
}
