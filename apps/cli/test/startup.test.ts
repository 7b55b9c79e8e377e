import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
// systemd's own checker; CI installs the systemd package, so there a missing one fails the run.
const analyzer = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!analyzer && (process.env.CI === 'true' || process.env.BERTH_REQUIRE_DOCKER === '1')) {
  throw new Error('systemd-analyze is not installed (apt-get install systemd)');
}

const dir = mkdtempSync(join(tmpdir(), 'berth-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function berth(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env } }, (e, stdout, stderr) =>
      resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `systemd-analyze verify`: exit 0 and nothing said about the file (it reports parse errors but exits 0). */
function verify(file: string) {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: r.status, said: `${r.stdout}${r.stderr}`.trim() };
}

describe('berth startup / unstartup', { timeout: 120_000 }, () => {
  it('prints a user unit for `berth serve` with BERTH_HOME and the shutdown policy', async () => {
    const home = join(dir, 'a home');
    const r = await berth(['startup', '--home', home, '--shutdown', 'stop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Environment="BERTH_HOME=${home}"`);
    expect(r.stdout).toContain('Environment=BERTH_SHUTDOWN=stop');
    expect(r.stdout).toContain(`ExecStart=${process.execPath} ${MAIN} serve`);
    expect(r.stdout).toContain('KillMode=mixed');
    expect(r.stdout).toContain('WantedBy=default.target');
  });

  it('leave: systemd signals only berth, so instances outlive it; the system unit waits for Docker', async () => {
    const r = await berth(['startup', '--system'], { BERTH_SHUTDOWN: 'leave', BERTH_HOME: '/srv/berth' });
    expect(r.stdout).toContain('KillMode=process');
    expect(r.stdout).toContain('After=network-online.target docker.service');
    expect(r.stdout).toContain('WantedBy=multi-user.target');
    expect(r.stdout).toContain('Environment=BERTH_HOME=/srv/berth');
  });

  it('refuses a shutdown policy it does not know, naming the flag', async () => {
    const r = await berth(['startup', '--shutdown', 'pause']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shutdown must be 'leave', 'stop' or 'stop-and-remove'/);
  });

  it.skipIf(!analyzer)(
    'writes units that systemd-analyze verify accepts (and the check can fail)',
    async () => {
      for (const [scope, policy] of [
        ['--user', 'leave'],
        ['--system', 'stop'],
      ] as const) {
        const unitDir = join(dir, `units${scope}`);
        const r = await berth(['startup', scope, '--write', '--unit-dir', unitDir], {
          BERTH_SHUTDOWN: policy,
        });
        expect(r.code, r.stderr).toBe(0);
        const file = join(unitDir, 'berth.service');
        expect(r.stdout).toContain(`wrote ${file}`);
        expect(r.stdout).toMatch(/systemctl (--user )?enable --now berth\.service/);
        expect(verify(file)).toEqual({ status: 0, said: '' });
      }
      // The same checker refuses a broken unit, so its silence above means something.
      const broken = join(dir, 'broken.service');
      writeFileSync(broken, '[Service]\nExecStart=/nonexistent/berth serve\nKillMode=sometimes\n');
      expect(verify(broken).said).toMatch(/KillMode|not executable/);
    },
  );

  it('quotes what systemd would read otherwise: spaces, quotes, % and $', async () => {
    const home = join(dir, '50% $HOME "q"');
    const unitDir = join(dir, 'quoted');
    const r = await berth(['startup', '--write', '--unit-dir', unitDir, '--home', home]);
    expect(r.code, r.stderr).toBe(0);
    const unit = readFileSync(join(unitDir, 'berth.service'), 'utf8');
    expect(unit).toContain(`Environment="BERTH_HOME=${dir}/50%% $HOME \\"q\\""`);
    if (analyzer) expect(verify(join(unitDir, 'berth.service'))).toEqual({ status: 0, said: '' });
  });

  it('refuses a value with a newline: it would add a setting of its own to the unit', async () => {
    const unitDir = join(dir, 'injected');
    const home = `${dir}/x\nExecStartPre=/bin/touch ${dir}/pwned`;
    const r = await berth(['startup', '--system', '--write', '--unit-dir', unitDir, '--home', home]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/control characters/);
    expect(existsSync(join(unitDir, 'berth.service'))).toBe(false);
  });

  it('unstartup removes the unit it wrote, and nothing it did not write', async () => {
    const unitDir = join(dir, 'removable');
    expect((await berth(['startup', '--write', '--unit-dir', unitDir])).code).toBe(0);
    const file = join(unitDir, 'berth.service');
    const removed = await berth(['unstartup', '--unit-dir', unitDir]);
    expect(removed).toMatchObject({ code: 0, stdout: `removed ${file}\n` });
    expect(existsSync(file)).toBe(false);
    expect((await berth(['unstartup', '--unit-dir', unitDir])).code).toBe(4);
    writeFileSync(file, '[Service]\nExecStart=/usr/bin/true\n');
    const foreign = await berth(['unstartup', '--unit-dir', unitDir]);
    expect(foreign.code).toBe(5);
    expect(foreign.stderr).toMatch(/not written by berth startup/);
    expect(existsSync(file)).toBe(true);
  });
});
