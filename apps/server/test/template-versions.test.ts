import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

const run = promisify(execFile);

// Ports 8820–8869 belong to this file (test/port-blocks.ts).
const RANGE: [number, number] = [8820, 8869];

/**
 * A version's install step, as a template author writes it: a small node program that writes the
 * version's server and a shell script starting it into $BERTH_VERSION_DIR; v3's fails.
 */
function installOf(version: string): string[] {
  const server = `require('http').createServer((q,r)=>r.end('${version}')).listen(process.env.PORT)`;
  const sh = `#!/bin/sh\nexec "${process.execPath}" "$(dirname "$0")/server.js"\n`;
  const code = [
    "const fs=require('fs');const d=process.env.BERTH_VERSION_DIR;",
    `fs.writeFileSync(d+'/server.js',${JSON.stringify(server)});`,
    `fs.writeFileSync(d+'/run.sh',${JSON.stringify(sh)},{mode:0o755});`,
    "console.log('installed '+process.env.BERTH_VERSION+' in '+process.cwd());",
  ].join('');
  return [process.execPath, '-e', code];
}

const template = {
  name: 'tool',
  source: {
    kind: 'command',
    // Without a version the template's own command would run: one that answers "default".
    command: process.execPath,
    args: ['-e', "require('http').createServer((q,r)=>r.end('default')).listen(process.env.PORT)"],
    versions: {
      v1: { command: '${BERTH_VERSION_DIR}/run.sh', args: [], install: installOf('v1') },
      v2: { command: '${BERTH_VERSION_DIR}/run.sh', args: [], install: installOf('v2') },
      v3: {
        command: '${BERTH_VERSION_DIR}/run.sh',
        args: [],
        install: 'echo fetching v3; echo "v3: no such release" >&2; exit 3',
      },
    },
  },
  ports: [{ name: 'http', env: 'PORT', preferred: RANGE[0], range: RANGE }],
  readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
  restart: { policy: 'never' },
};

const IMAGE_TAG = 'berth-test/busybox:versions-test';
const image = {
  name: 'box',
  source: {
    kind: 'image',
    image: 'berth-test/busybox:latest',
    command: ['sleep', '3600'],
    versions: {
      local: { tag: 'versions-test' },
      // Never there and never pullable (no registry has it; offline, none answers at all).
      missing: { image: 'berth-test/no-such-image:never' },
    },
  },
};

let t: TestServer;

beforeAll(async () => {
  await run('docker', ['tag', 'berth-test/busybox:latest', IMAGE_TAG]);
  t = await startTestServer({ apiPort: 0, proxyPort: 0, templates: [template, image] });
});
afterAll(async () => {
  await t?.close();
  await run('docker', ['rmi', IMAGE_TAG]).catch(() => undefined);
});

const answer = async (name: string) => {
  const inst = await t.api('GET', `/instances/${name}`);
  return (await fetch(inst.body.url)).text();
};
// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
const versionsOf = async (name: string): Promise<any[]> =>
  (await t.api('GET', `/templates/${name}/versions`)).body;

describe('versions of a command template', () => {
  it('lists each version, none installed, none used', async () => {
    const list = await versionsOf('tool');
    expect(list.map((v) => [v.name, v.kind, v.installable, v.installed, v.usedBy])).toEqual([
      ['v1', 'command', true, false, []],
      ['v2', 'command', true, false, []],
      ['v3', 'command', true, false, []],
    ]);
    expect(list[0].dir).toBe(join(t.home, 'versions', 'tool', 'v1'));
    expect((await t.api('GET', '/templates/nope/versions')).status).toBe(404);
  });

  it('refuses an unknown version at create and at edit with a 400 listing the known ones', async () => {
    const bad = await t.api('POST', '/instances', { template: 'tool', name: 'typo', version: 'v9' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      "'v9' is not one of this template's versions (known: v1, v2, v3)",
    );
    expect(bad.body.error.details.known).toEqual(['v1', 'v2', 'v3']);
    expect((await t.api('GET', '/instances/typo')).status).toBe(404);
  });

  it('installs the pinned version before the first start and runs its script', async () => {
    const created = await t.api('POST', '/instances?wait=1', {
      template: 'tool',
      name: 'app',
      version: 'v1',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'running', version: 'v1' });
    expect(await answer('app')).toBe('v1');
    const dir = join(t.home, 'versions', 'tool', 'v1');
    expect(existsSync(join(dir, 'run.sh'))).toBe(true);
    expect(existsSync(join(dir, '.berth-installed'))).toBe(true);
    expect(readFileSync(join(t.home, 'versions', 'tool', 'v1.install.log'), 'utf8')).toContain(
      `installed v1 in ${dir}`,
    );
    const v1 = (await versionsOf('tool')).find((v) => v.name === 'v1');
    expect(v1).toMatchObject({ installed: true, usedBy: ['app'] });
    const events: { type: string; message: string }[] = (await t.api('GET', '/events?limit=500')).body;
    const phases = events.filter((e) => e.type === 'template.version').map((e) => e.message);
    expect(phases).toEqual(
      expect.arrayContaining(['installing version v1 of tool', 'version v1 of tool installed']),
    );
  });

  it('refuses to remove a version an instance uses, naming it', async () => {
    const refused = await t.api('DELETE', '/templates/tool/versions/v1');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'VERSION_IN_USE', details: { instances: ['app'] } });
    expect(existsSync(join(t.home, 'versions', 'tool', 'v1', '.berth-installed'))).toBe(true);
  });

  it('installs a version on request, and upgrade then rollback goes back to v1', async () => {
    const installed = await t.api('POST', '/templates/tool/versions/v2/install');
    expect(installed.status).toBe(200);
    expect(installed.body).toMatchObject({ name: 'v2', installed: true, usedBy: [] });
    const upgraded = await t.api('PATCH', '/instances/app?apply=1&wait=1', { version: 'v2' });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.version).toBe('v2');
    expect(await answer('app')).toBe('v2');
    const deps = (await t.api('GET', '/instances/app/deployments')).body;
    expect(deps.map((d: { spec: { version: string } }) => d.spec.version).slice(0, 2)).toEqual(['v2', 'v1']);
    const back = await t.api('POST', '/instances/app/rollback?wait=1', {});
    expect(back.status).toBe(200);
    expect(back.body.version).toBe('v1');
    expect(await answer('app')).toBe('v1');
    // v2 is used by nobody now: it can go, and its folder with it.
    expect((await t.api('DELETE', '/templates/tool/versions/v2')).status).toBe(204);
    expect(existsSync(join(t.home, 'versions', 'tool', 'v2'))).toBe(false);
  });

  it('fails a start whose install fails, saying why, and leaves nothing marked installed', async () => {
    const created = await t.api('POST', '/instances?wait=1', {
      template: 'tool',
      name: 'broken',
      version: 'v3',
    });
    expect(created.status).toBe(422);
    expect(created.body.error.code).toBe('INSTALL_FAILED');
    expect(created.body.error.message).toBe(
      'install of version v3 of tool failed: the install step exited with code 3: fetching v3 | v3: no such release',
    );
    const inst = (await t.api('GET', '/instances/broken')).body;
    expect(inst).toMatchObject({ status: 'error', errorMessage: created.body.error.message });
    expect(existsSync(join(t.home, 'versions', 'tool', 'v3'))).toBe(false);
    expect((await versionsOf('tool')).find((v) => v.name === 'v3')?.installed).toBe(false);
  });
});

describe('versions of an image template (the local engine)', () => {
  it('says which tag is on the node, removes one nobody uses, and pulls a missing one or says why not', async () => {
    const list = await versionsOf('box');
    expect(list.map((v) => [v.name, v.kind, v.image, v.installed])).toEqual([
      ['local', 'image', IMAGE_TAG, true],
      ['missing', 'image', 'berth-test/no-such-image:never', false],
    ]);
    const pinned = await t.api('POST', '/instances', {
      template: 'box',
      name: 'boxy',
      version: 'local',
      start: false,
    });
    expect(pinned.status).toBe(201);
    expect((await t.api('DELETE', '/templates/box/versions/local')).status).toBe(409);
    expect((await t.api('DELETE', '/instances/boxy')).status).toBe(204);
    expect((await t.api('DELETE', '/templates/box/versions/local')).status).toBe(204);
    await expect(run('docker', ['image', 'inspect', IMAGE_TAG])).rejects.toThrow();
    expect((await versionsOf('box'))[0].installed).toBe(false);
    const pull = await t.api('POST', '/templates/box/versions/missing/install');
    expect(pull.status).toBe(422);
    expect(pull.body.error.code).toBe('INSTALL_FAILED');
    expect(pull.body.error.message).toMatch(
      /^install of version missing of box failed: image berth-test\/no-such-image:never could not be pulled on node local: .+/,
    );
  });
});
