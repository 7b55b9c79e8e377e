import { execFile } from 'node:child_process';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoTemplate, startTestServer, type TestServer } from '../apps/server/test/test-server.js';
import { listen } from './support.js';

// Issue: defects found by using berth as an operator would. Ports 12600–12699 are this file's.
const MAIN = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));

let t: TestServer;
let held: Server;
let heldPort: number;

function berth(...args: string[]) {
  const env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_TOKEN: t.token };
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [
      echoTemplate('echo', [12600, 12699]),
      {
        ...echoTemplate('versioned', [12600, 12699]),
        source: {
          kind: 'command',
          command: process.execPath,
          args: ['-e', "require('http').createServer((q,s)=>s.end('v')).listen(process.env.PORT)"],
          versions: { current: { command: process.execPath } },
        },
      },
    ],
  });
  // Another program holds a port: the kernel picks it (port 0), so it is free of any other test.
  held = await listen(0);
  heldPort = (held.address() as { port: number }).port;
});

afterAll(async () => {
  held?.close();
  await t?.close();
});

describe('create --no-start with a pinned port another program holds', () => {
  it('stores the instance with its pin and names the holder; the conflict flow happens at start', async () => {
    const res = await t.api('POST', '/instances', {
      template: 'echo',
      name: 'later',
      ports: { http: heldPort },
      start: false,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'later', status: 'stopped', ports: { http: heldPort } });
    expect(res.body.warnings).toHaveLength(1);
    expect(res.body.warnings[0]).toContain(`port ${heldPort} (http) is in use by process`);
    expect(res.body.portConflicts[0]).toMatchObject({ name: 'http', port: heldPort });

    const start = await t.api('POST', '/instances/later/start?wait=1');
    expect(start.status).toBe(409);
    expect(start.body.error.code).toBe('PORT_CONFLICT');
    const suggested = start.body.error.details.portConflicts[0].suggestedPort;
    expect(
      (await t.api('POST', '/instances/later/port-override', { name: 'http', port: suggested })).status,
    ).toBe(200);
    const started = await t.api('POST', '/instances/later/start?wait=1');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'running', ports: { http: suggested } });
  });

  it('the CLI says so on stderr and exits 0', async () => {
    const r = await berth(
      'create',
      'echo',
      '--name',
      'later-cli',
      '--port',
      `http=${heldPort}`,
      '--no-start',
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: port ${heldPort} (http) is in use by process`);
  });
});

describe('berth preflight', () => {
  it('exits with the conflict code (5) when the instance cannot start, and 0 when it can', async () => {
    const blocked = await berth('preflight', 'later-cli');
    expect(blocked.code).toBe(5);
    expect(blocked.stdout).toContain('cannot start');
    const json = await berth('preflight', 'later-cli', '--json');
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout)).toMatchObject({ canStart: false });

    expect((await t.api('POST', '/instances', { template: 'echo', name: 'free', start: false })).status).toBe(
      201,
    );
    const free = await berth('preflight', 'free', '--json');
    expect(free.code).toBe(0);
    expect(JSON.parse(free.stdout)).toMatchObject({ canStart: true });
  });
});

describe('versions', () => {
  it('refuses an unknown version at create with a 400 listing the known ones', async () => {
    const bad = await t.api('POST', '/instances', {
      template: 'versioned',
      config: { version: '9.9' },
      start: false,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      "version '9.9' is not one of this template's versions (known: current)",
    );
    const good = await t.api('POST', '/instances', {
      template: 'versioned',
      config: { version: 'current' },
      start: false,
    });
    expect(good.status).toBe(201);
    expect(good.body.config).toMatchObject({ version: 'current' });
  });
});
