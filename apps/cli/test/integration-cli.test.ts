import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKomodo } from '../../../packages/integrations/test/fake-komodo.js';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const KEY = 'CLI_KOMODO_KEY_123';
const SECRET = 'CLI_KOMODO_SECRET_456';

let t: TestServer;
let fake: FakeKomodo;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
  fake = await FakeKomodo.start({
    apiKey: KEY,
    apiSecret: SECRET,
    range: [26900, 26949],
    servers: [
      {
        id: 's1',
        name: 'nas',
        address: 'https://10.7.0.2:8120',
        containers: [
          { name: 'plex', state: 'running', ports: [{ PrivatePort: 32400, PublicPort: 32400, Type: 'tcp' }] },
        ],
      },
    ],
  });
  env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_HOME: t.home, BERTH_TOKEN: '' };
});
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('berth integration', () => {
  it('add → test → scan → ls → ports --all-hosts → rm, secrets never printed', async () => {
    const add = await berth(
      'integration',
      'add',
      'komodo',
      '--name',
      'k',
      '--url',
      fake.url,
      '--api-key',
      KEY,
      '--api-secret',
      SECRET,
      '--manual',
    );
    expect(add).toMatchObject({ code: 0, stdout: expect.stringContaining("added komodo integration 'k'") });
    const test = await berth('integration', 'test', 'k');
    expect(test).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: version 1\.18\.4, \d+ ms/) });
    const scan = await berth('integration', 'scan', 'k');
    expect(scan.stdout).toContain('scanned: 1 containers, 1 published ports');
    const ls = await berth('integration', 'ls');
    expect(ls.stdout).toMatch(/k\s+komodo\s+yes\s+manual/);
    const listed = JSON.parse((await berth('integration', 'ls', '--json')).stdout);
    expect(listed[0].config).toMatchObject({ apiKey: '••••', apiSecret: '••••' });
    const all = await berth('ports', '--all-hosts');
    expect(all.stdout).toMatch(
      /10\.7\.0\.2\s+32400\s+tcp\s+scan\s+Komodo 'k' → container plex on host 10\.7\.0\.2/,
    );
    for (const res of [add, test, scan, ls, all])
      expect(res.stdout + res.stderr).not.toMatch(/CLI_KOMODO_(KEY|SECRET)/);
    expect(JSON.stringify(listed)).not.toMatch(/CLI_KOMODO_(KEY|SECRET)/);
    expect(await berth('integration', 'rm', 'k')).toMatchObject({ code: 0 });
    expect((await berth('integration', 'test', 'k')).code).not.toBe(0);
  });

  it('a failed test exits non-zero with the reason', async () => {
    await berth(
      'integration',
      'add',
      'komodo',
      '--name',
      'bad',
      '--url',
      fake.url,
      '--api-key',
      KEY,
      '--api-secret',
      'nope',
    );
    const res = await berth('integration', 'test', 'bad');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('failed (unauthorized)');
  });

  it('rotate-key and import settings, the second import changing nothing', async () => {
    expect((await berth('integration', 'rotate-key')).stdout).toMatch(
      /^new key \w+; re-sealed \d+ integrations/,
    );
    const file = join(t.home, 'legacy-settings.json');
    writeFileSync(
      file,
      JSON.stringify({ docker_enabled: 'true', docker_host: 'unix:///var/run/docker.sock' }),
    );
    const first = await berth('import', 'settings', file);
    expect(first.stdout).toContain("created docker integration 'Default Docker'");
    expect((await berth('import', 'settings', file)).stdout).toContain('nothing new to import');
  });
});
