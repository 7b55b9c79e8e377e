import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** The token in the webhook URL's path: never printed back. */
const HOOK_TOKEN = 'cli-hook-T0KEN-789';

let t: TestServer;
let receiver: Server;
let hookUrl: string;
let env: NodeJS.ProcessEnv;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
  receiver = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      received.push(JSON.parse(raw));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/${HOOK_TOKEN}`;
  env = {
    ...process.env,
    BERTH_URL: t.apiUrl,
    BERTH_HOME: t.home,
    BERTH_TOKEN: '',
    BERTH_NOTIFY_URL: hookUrl,
  };
});
afterAll(async () => {
  await t?.close();
  receiver?.close();
});

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('berth notify', () => {
  it('add (URL from BERTH_NOTIFY_URL) → test → channels → rm; the URL is never printed', async () => {
    const add = await berth('notify', 'add', 'team', 'discord', '--no-unhealthy', '--no-build-succeeded');
    expect(add).toMatchObject({ code: 0, stdout: expect.stringContaining("added discord channel 'team'") });
    expect(add.stdout).not.toContain(HOOK_TOKEN);

    expect((await berth('notify', 'test', 'team')).code).toBe(0);
    const end = Date.now() + 20_000;
    while (received.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(received[0]).toMatchObject({ content: 'berth test notification' });

    const json = await berth('notify', 'channels', '--json');
    const [team] = JSON.parse(json.stdout);
    expect(team).toMatchObject({
      name: 'team',
      kind: 'discord',
      rules: {
        crashLoop: true,
        unhealthy: false,
        nodeUnreachable: true,
        buildFailed: true,
        buildSucceeded: false,
        portConflict: true,
      },
    });
    expect(json.stdout).not.toContain(HOOK_TOKEN);
    const table = await berth('notify', 'channels');
    expect(table.stdout).toMatch(/team\s+discord\s+http:\/\/127\.0\.0\.1:\d+\s+crashLoop/);

    const bad = await berth('notify', 'add', 'x', 'pager');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('kind');

    expect((await berth('notify', 'rm', 'team')).code).toBe(0);
    expect(JSON.parse((await berth('notify', 'channels', '--json')).stdout)).toEqual([]);
  }, 120_000);
});
