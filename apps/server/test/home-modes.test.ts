import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadServerConfig, type RunningServer, startServer } from '../src/index.js';

// Issue 19 §6: BERTH_HOME is 0700 and everything berth writes in it 0600 (files) / 0700 (folders).
// Ports 25000–25099 belong to this file.

/** The umask a user would typically start berth with; the workload must get it back. */
process.umask(0o022);

const home = join(mkdtempSync(join(tmpdir(), 'berth-modes-')), 'home');
afterAll(() => rmSync(join(home, '..'), { recursive: true, force: true }));

const workload = [
  "require('fs').writeFileSync('made-by-workload.txt','x');",
  "require('http').createServer((q,r)=>r.end('ok')).listen(process.env.PORT);",
].join('');

async function start(): Promise<RunningServer> {
  const templates = join(home, 'templates');
  await mkdir(templates, { recursive: true });
  writeFileSync(
    join(templates, 'writer.json'),
    JSON.stringify({
      name: 'writer',
      source: { kind: 'command', command: process.execPath, args: ['-e', workload] },
      ports: [{ name: 'http', env: 'PORT', range: [25000, 25099] }],
      readiness: { kind: 'http', port: 'http', path: '/', timeoutSeconds: 15 },
    }),
  );
  const config = loadServerConfig({ home, port: 0, proxyPort: 0, logLevel: 'silent' }, {});
  return startServer(config, { announce: false });
}

/** Every path under home with its permission bits, leaving out what a workload or the operator wrote. */
function modes(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(home, path);
      if (/^instances\/[^/]+\/[^/]+\//.test(rel)) continue; // the workload's own files
      if (/^templates\/./.test(rel)) continue; // the operator's own template files
      const st = lstatSync(path);
      out[rel] = (st.mode & 0o777).toString(8);
      if (st.isDirectory()) walk(path);
    }
  };
  out['.'] = (lstatSync(home).mode & 0o777).toString(8);
  walk(home);
  return out;
}

function notPrivate(): string[] {
  return Object.entries(modes())
    .filter(([path, mode]) => mode !== (lstatSync(join(home, path)).isDirectory() ? '700' : '600'))
    .map(([path, mode]) => `${path} ${mode}`);
}

describe('BERTH_HOME modes', () => {
  it('a fresh home: the home 0700, database, token, key, backups and logs 0600, folders 0700', async () => {
    const server = await start();
    try {
      const inst = await server.berth.instances.create({ template: 'writer', name: 'w1' }, { wait: true });
      expect(inst.status).toBe('running');
      await server.berth.store.backup('modes-test');
      const all = Object.keys(modes());
      for (const expected of ['berth.db', 'berth.db-wal', 'admin.token', 'secret.key', 'logs', 'instances'])
        expect(all).toContain(expected);
      expect(all.some((p) => p.endsWith('.bak'))).toBe(true);
      expect(all.some((p) => p.startsWith('logs/') && p.endsWith('.log'))).toBe(true);
      expect(all).toContain('instances/writer/w1');
      expect(notPrivate()).toEqual([]);
      // The workload itself runs with the umask berth was started with, not berth's 077.
      const written = lstatSync(join(home, 'instances/writer/w1/made-by-workload.txt'));
      expect((written.mode & 0o777).toString(8)).toBe('644');
    } finally {
      await server.close(true);
    }
  });

  it('a home an older berth left 0755/0644 is brought in line at start', async () => {
    const loose: string[] = [];
    const widen = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (/^instances\/[^/]+\/[^/]+\//.test(relative(home, path))) continue;
        const dirLike = lstatSync(path).isDirectory();
        chmodSync(path, dirLike ? 0o755 : 0o644);
        loose.push(path);
        if (dirLike) widen(path);
      }
    };
    chmodSync(home, 0o755);
    widen(home);
    writeFileSync(join(home, 'berth.db.pre-v1-to-v2-old.bak'), 'old copy', { mode: 0o644 });
    expect(notPrivate().length).toBeGreaterThan(8);
    const server = await start();
    try {
      expect(notPrivate()).toEqual([]);
      const again = await server.berth.instances.start('w1', { wait: true });
      expect(again.status).toBe('running');
      expect(notPrivate()).toEqual([]);
    } finally {
      await server.close(true);
    }
    expect(loose.length).toBeGreaterThan(8);
  });
});
