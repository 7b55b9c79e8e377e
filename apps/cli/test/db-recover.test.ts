import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '@berth/store-sqlite';
import { sampleInstance, sampleTemplate } from '@berth/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'berth-db-recover-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function berth(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { env: { ...process.env, BERTH_HOME: '' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A BERTH_HOME whose real berth.db (instances, many events) then has pages in the middle overwritten. */
async function damagedHome(): Promise<{ home: string; file: string }> {
  const home = join(root, `home-${++n}`);
  const file = join(home, 'berth.db');
  const store = await SqliteStore.open(file);
  store.templates.upsert(sampleTemplate('web'));
  for (let i = 1; i <= 3; i++)
    store.instances.insert(sampleInstance({ name: `web-${i}`, id: `id-web-${i}` }));
  store.transaction(() => {
    for (let i = 0; i < 3000; i++)
      store.events.append({
        type: 'instance.status',
        message: `event ${i} ${'x'.repeat(200)}`,
        data: {},
        ts: i,
      });
  });
  store.close();
  const middle = Math.floor(statSync(file).size / 4096 / 2);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096 * 3, 0xa5), 0, 4096 * 3, 4096 * middle);
  closeSync(fd);
  return { home, file };
}

/** `berth serve` until it says it listens (resolves true) or exits (false); stopped either way. */
function serves(home: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [MAIN, 'serve', '--home', home, '--port', '0', '--proxy-port', '0'],
      {
        env: { ...process.env, BERTH_ADMIN_TOKEN: 'test-token' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('berth is listening')) {
        child.kill('SIGTERM');
        resolve(true);
      }
    });
    child.on('exit', () => resolve(false));
  });
}

describe('a damaged berth.db', () => {
  it('`berth serve` refuses it, naming the file and what to do, with the storage exit code', async () => {
    const { home, file } = await damagedHome();
    const res = await berth('serve', '--home', home, '--port', '0', '--proxy-port', '0');
    expect(res.code).toBe(10);
    expect(res.stderr).toContain(`berth's database ${file} is damaged (quick_check:`);
    expect(res.stderr).toContain('`berth db recover`');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack
  });

  it('`berth db recover --json` saves what is readable, keeps the damaged file, and berth serves again', async () => {
    const { home, file } = await damagedHome();
    const res = await berth('db', 'recover', '--home', home, '--json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout);
    expect(result.file).toBe(file);
    expect(result.damaged).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}\\.corrupt-`));
    expect(existsSync(result.damaged)).toBe(true);
    const by = Object.fromEntries(result.tables.map((t: { table: string }) => [t.table, t]));
    expect(by.instances).toMatchObject({ saved: 3, lost: 0 });
    expect(by.events.saved).toBeGreaterThan(2000);
    expect(by.events.saved).toBeLessThan(3000);
    expect(await serves(home)).toBe(true);
  });

  it('`berth db recover` says in words what it saved and lost', async () => {
    const { home } = await damagedHome();
    const res = await berth('db', 'recover', '--home', home);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^recovered .*berth\.db: \d+ row\(s\) saved; .*lost/);
    expect(res.stdout).toMatch(/the damaged file is kept as .*berth\.db\.corrupt-/);
    expect(res.stdout).toMatch(/TABLE\s+SAVED\s+LOST/);
  });

  it('`berth db recover` on a home with no database is bad input (exit 2), not a crash', async () => {
    const res = await berth('db', 'recover', '--home', join(root, 'nothing-here'));
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^berth: there is no database at .*berth\.db to recover/);
  });
});
