import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PORT_BLOCKS } from '../../../test/port-blocks.js';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const [FROM, TO] = PORT_BLOCKS['cli/port-range-cli (data only: settings, nothing binds)'];

let t: TestServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
  env = { ...process.env, BERTH_URL: t.apiUrl, BERTH_HOME: t.home, BERTH_TOKEN: '' };
});
afterAll(async () => {
  await t?.close();
});

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Issue 16 §6: `berth ports range` shows and sets the global and reserved ranges. */
it('berth ports range shows, sets, refuses and resets the ranges', async () => {
  const shown = await berth('ports', 'range');
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/^Global range: \d+–\d+ \(default\): /);
  expect(shown.stdout).toContain('Reserved: none');

  const set = await berth(
    'ports',
    'range',
    `${FROM}-${TO}`,
    '--reserve',
    `${FROM}-${FROM + 4}:kept free`,
    '--json',
  );
  expect(set.code).toBe(0);
  expect(JSON.parse(set.stdout)).toMatchObject({
    globalRange: { from: FROM, to: TO },
    globalSource: 'setting',
    reserved: [{ from: FROM, to: FROM + 4, reason: 'kept free' }],
  });
  expect((await berth('ports')).stdout).toContain(`come from ${FROM}–${TO}: set through`);

  const backwards = await berth('ports', 'range', `${TO}-${FROM}`);
  expect(backwards).toMatchObject({ code: 2, stdout: '' });
  expect(backwards.stderr).toMatch(/globalRange\.from .* must be below globalRange\.to/);
  expect((await berth('ports', 'range', 'wide')).stderr).toMatch(/range must look like 20000-29999/);
  expect((await berth('ports', 'range', '--reserve', `${FROM}`)).stderr).toMatch(/needs a reason/);

  const reset = await berth('ports', 'range', '--reset');
  expect(reset.code).toBe(0);
  expect(reset.stdout).toMatch(/\(default\)/);
  expect(reset.stdout).toContain('Reserved: none');
});
