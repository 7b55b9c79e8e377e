import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../apps/server/test/test-server.js';
import { until } from '../support.js';
import { recordFigures } from './summary.js';

// Hostile values through the API of a real server: shell metacharacters in args, env and config
// reach the process verbatim and run nothing; dangerous git URLs are refused before git runs;
// YAML alias bombs in the templates (and compose) folder are refused without stalling the API.
// No ports: the instances here listen on nothing.

const scratch = mkdtempSync(join(tmpdir(), 'berth-abuse-inert-'));
const pwned = join(scratch, 'pwned');
const out = join(scratch, 'argv.json');
const HOSTILE = [
  `$(touch ${pwned})`,
  `;touch ${pwned}`,
  `| touch ${pwned}`,
  `&& touch ${pwned}`,
  `\`touch ${pwned}\``,
  `\n touch ${pwned}`,
  `> ${pwned}`,
  '$HOME ${HOME} %PATH% \\ \' "',
];

let t: TestServer;
const figures: Record<string, number> = {};

beforeAll(async () => {
  // Writes its argv and two env values as JSON, then waits: run with an argument array, nothing
  // in them may have been interpreted.
  const script = `require('fs').writeFileSync(${JSON.stringify(out)},JSON.stringify({argv:process.argv.slice(1),env:process.env.HOSTILE,config:process.env.FROM_CONFIG}));setInterval(()=>{},1e6)`;
  t = await startTestServer({
    apiPort: 0,
    proxyPort: 0,
    templates: [
      {
        name: 'inert',
        source: {
          kind: 'command',
          command: process.execPath,
          args: ['-e', script, ...HOSTILE, '${CONFIG_MSG}'],
        },
        env: { HOSTILE: HOSTILE.join(' '), FROM_CONFIG: '${CONFIG_MSG}' },
        config: { msg: { type: 'string', default: 'x' } },
      },
    ],
  });
});

afterAll(async () => {
  await t?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('shell metacharacters', () => {
  it('reach the process verbatim in args, env and config values, and run nothing', async () => {
    const msg = HOSTILE.join(' ');
    const created = await t.api('POST', '/instances?wait=1', {
      template: 'inert',
      name: 'inert-1',
      config: { msg },
    });
    expect(created.status).toBe(201);
    const seen = await until('the instance wrote its argv', () =>
      existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined,
    );
    expect(seen).toEqual({ argv: [...HOSTILE, msg], env: HOSTILE.join(' '), config: msg });
    expect(existsSync(pwned)).toBe(false);
    figures.metacharacterValues = HOSTILE.length * 3;
  });
});

describe('dangerous git URLs', () => {
  const urls = [
    `ext::sh -c touch% ${pwned}`,
    'ext::sh',
    `--upload-pack=touch ${pwned}`,
    `-oProxyCommand=touch ${pwned}`,
    `ssh://-oProxyCommand=touch%20${pwned}/repo`,
    `git@-oProxyCommand=touch ${pwned}:repo`,
    `fd::3`,
  ];
  it.each(urls)('refuses %s with a 400 naming the source, before git runs', async (source) => {
    for (const path of ['/builds/detect', '/builds']) {
      const res = await t.api('POST', path, { source });
      expect(res.status, `${path} ${source}`).toBe(400);
      expect(res.body.error.message).toMatch(/source/i);
    }
    expect(existsSync(pwned)).toBe(false);
    figures.gitUrlsRefused = (figures.gitUrlsRefused ?? 0) + 2;
  });
});

describe('YAML alias bombs', () => {
  // "billion laughs": nine levels of nine aliases each, 9^9 nodes once expanded.
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    levels.push(
      `${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`,
    );
  }
  const bomb = levels.join('\n');

  /** The reload refuses the file by name (a 400, or a 200 listing it among the problems), saying why. */
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read loosely
  function expectRefused(reload: { status: number; body: any }, file: string) {
    const said = reload.status === 200 ? JSON.stringify(reload.body.problems) : reload.body.error?.message;
    expect([200, 400]).toContain(reload.status);
    expect(said).toContain(file);
    expect(said).toMatch(/alias/i);
  }

  it('refuses a template file that is one, names it, and keeps answering', async () => {
    writeFileSync(
      join(t.home, 'templates', 'bomb.yaml'),
      `name: bomb\nsource: {kind: command, command: "true"}\n${bomb}\n`,
    );
    const started = Date.now();
    const reload = await t.api('POST', '/templates/reload');
    const ms = Date.now() - started;
    expectRefused(reload, 'templates/bomb.yaml');
    expect((await t.api('GET', '/templates/bomb')).status).toBe(404);
    expect((await fetch(`${t.apiUrl}/api/v1/health`)).status).toBe(200);
    expect(ms).toBeLessThan(5_000);
    figures.aliasBombReloadMs = ms;
    rmSync(join(t.home, 'templates', 'bomb.yaml'));
  });

  it('refuses a compose file that is one', async () => {
    const dir = join(t.home, 'compose');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'bomb.yaml'),
      `services:\n  web:\n    image: busybox\nx-bomb:\n${bomb.replace(/^/gm, '  ')}\n`,
    );
    const reload = await t.api('POST', '/templates/reload');
    expectRefused(reload, 'compose/bomb.yaml');
    expect((await fetch(`${t.apiUrl}/api/v1/health`)).status).toBe(200);
    recordFigures('inert-inputs', figures);
  });
});
