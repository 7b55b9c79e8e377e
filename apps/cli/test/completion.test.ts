import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/test-server.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const zsh = spawnSync('zsh', ['--version']).status === 0;
// CI installs zsh, so there a missing one fails the run instead of skipping its test.
if (!zsh && process.env.CI === 'true') throw new Error('zsh is not installed (apt-get install zsh)');

let t: TestServer;
let bin = '';

beforeAll(async () => {
  t = await startTestServer({ apiPort: 0, proxyPort: 0 });
  const tpl = { name: 'comptpl', source: { kind: 'command', command: 'true' } };
  expect((await t.api('POST', '/templates', tpl)).status).toBe(201);
  for (const name of ['alpha-1', 'alpha-2', 'beta-1']) {
    const r = await t.api('POST', '/instances', { template: 'comptpl', name, start: false });
    expect(r.status).toBe(201);
  }
  // `berth` on the PATH of the shells below, as an installed CLI would be.
  bin = mkdtempSync(join(tmpdir(), 'berth-completion-'));
  writeFileSync(join(bin, 'berth'), `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`);
  chmodSync(join(bin, 'berth'), 0o755);
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (bin) rmSync(bin, { recursive: true, force: true });
});

const env = () => ({
  ...process.env,
  PATH: `${bin}:${process.env.PATH}`,
  BERTH_URL: t.apiUrl,
  BERTH_TOKEN: t.token,
});

const run = promisify(execFile);

/**
 * Loads `berth completion bash` into a real bash and completes `line` as if Tab was pressed at its
 * end. Asynchronously: the server answering the names runs in this process.
 */
async function bashComplete(line: string): Promise<string[]> {
  const words = line.split(' ');
  const script = [
    'source <(berth completion bash)',
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_berth_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = await run('bash', ['-c', script], { env: env(), encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('bash: commands, subcommands and flags', async () => {
    expect(await bashComplete('berth st')).toEqual(['start', 'startup', 'stats', 'stop']);
    expect(await bashComplete('berth node a')).toEqual(['add', 'address']);
    expect(await bashComplete('berth create --n')).toEqual(['--name', '--no-start', '--node']);
    expect(await bashComplete('berth __')).toEqual([]);
  }, 180_000);

  it('bash: instance, template and node names from the server', async () => {
    expect(await bashComplete('berth start al')).toEqual(['alpha-1', 'alpha-2']);
    expect(await bashComplete('berth logs ')).toEqual(['alpha-1', 'alpha-2', 'beta-1']);
    expect(await bashComplete('berth create comp')).toEqual(['comptpl']);
    expect(await bashComplete('berth create comptpl --node ')).toEqual(['local']);
    expect(await bashComplete('berth node test lo')).toEqual(['local']);
  }, 180_000);

  it('offers no names, quickly, when the server cannot be reached', () => {
    const r = spawnSync(process.execPath, [MAIN, '__complete', '2', '--', 'berth', 'start', ''], {
      env: { ...env(), BERTH_URL: 'http://127.0.0.1:9' },
      encoding: 'utf8',
    });
    expect(r).toMatchObject({ status: 0, stdout: '' });
  }, 180_000);

  it.skipIf(!zsh)(
    'zsh: loading the script registers _berth as the completion of berth',
    async () => {
      const script = [
        'autoload -Uz compinit && compinit -u -d "$(mktemp)"',
        'source <(berth completion zsh)',
        'whence -w _berth',
        'print -r -- "berth=$_comps[berth]"',
      ].join('; ');
      const r = await run('zsh', ['-c', script], { env: env(), encoding: 'utf8' });
      expect(r.stdout).toContain('_berth: function');
      expect(r.stdout).toContain('berth=_berth');
    },
    60_000,
  );

  it.skipIf(!zsh)(
    'zsh: commands, flags and names from the server, as _berth hands them to compadd',
    async () => {
      const complete = async (line: string) => {
        const words = line.split(' ');
        const script = [
          'autoload -Uz compinit && compinit -u -d "$(mktemp)"',
          'source <(berth completion zsh)',
          // Outside a Tab press compadd cannot run: this one prints the array it is handed (-a name).
          'compadd() { print -rl -- "${(@P)${@[-1]}}" }',
          `words=(${words.map((w) => `'${w}'`).join(' ')})`,
          `CURRENT=${words.length}`,
          '_berth',
        ].join('\n');
        const r = await run('zsh', ['-c', script], { env: env(), encoding: 'utf8' });
        return r.stdout.split('\n').filter(Boolean);
      };
      expect(await complete('berth st')).toEqual(['start', 'startup', 'stats', 'stop']);
      expect(await complete('berth create --n')).toEqual(['--name', '--no-start', '--node']);
      expect(await complete('berth start al')).toEqual(['alpha-1', 'alpha-2']);
      expect(await complete('berth create comp')).toEqual(['comptpl']);
      expect(await complete('berth node test lo')).toEqual(['local']);
    },
    180_000,
  );

  it('refuses a shell it does not know', () => {
    const r = spawnSync(process.execPath, [MAIN, 'completion', 'fish'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bash or zsh/);
  });
});
