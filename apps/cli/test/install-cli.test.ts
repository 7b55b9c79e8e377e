import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'berth-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an installable CLI', () => {
  it('npm install -g of the packed tarball puts a working `berth` on the PATH', async () => {
    const { stdout } = await run(process.execPath, [join(ROOT, 'apps/cli/scripts/pack.mjs'), dir]);
    const tarball = stdout.trim();
    expect(tarball).toMatch(/berth-cli-[\d.]+\.tgz$/);
    const prefix = join(dir, 'prefix');
    // Registry packages come from npm's cache when it has them (the repository's own install
    // filled it). Install scripts are left out: only `berth serve` needs one (better-sqlite3's
    // native build, which `npm install -g --allow-scripts=better-sqlite3` runs); commands below do not.
    await run(
      'npm',
      [
        'install',
        '-g',
        tarball,
        '--prefix',
        prefix,
        '--prefer-offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const bin = join(prefix, 'bin');
    expect(existsSync(join(bin, 'berth'))).toBe(true);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const version = await run('berth', ['--version-flag'], { env });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The unit it writes runs the installed CLI, not the repository's.
    const unit = await run('berth', ['startup'], { env });
    expect(unit.stdout).toContain(`${join(prefix, 'lib/node_modules/@berth/cli/dist/main.js')} serve`);
    const completion = await run('berth', ['completion', 'bash'], { env });
    expect(completion.stdout).toContain('complete -o default -F _berth_complete berth');
    // The bundled workspace packages are there for `serve` (the server and its UI).
    const installed = join(prefix, 'lib/node_modules/@berth/cli/node_modules/@berth');
    expect(existsSync(join(installed, 'server/dist/index.js'))).toBe(true);
  }, 900_000);

  it('npx berth works from the repository', async () => {
    const r = await run('npx', ['--no-install', 'berth', '--version-flag'], { cwd: ROOT });
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 120_000);
});
