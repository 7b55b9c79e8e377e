import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempHome, until } from './support.js';

const MAIN = fileURLToPath(new URL('../apps/cli/dist/main.js', import.meta.url));
const TOKEN = 'structured-logs-token';
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

// Ports 24880–24889: this file only.
const TEMPLATE = [
  'name: loghello',
  'source:',
  '  kind: command',
  '  command: node',
  `  args: ["-e", "require('http').createServer((q,s)=>s.end('hi')).listen(process.env.PORT)"]`,
  'ports:',
  '  - { name: http, env: PORT, preferred: 24880, range: [24880, 24889] }',
  'readiness: { kind: http, port: http, path: / }',
  '',
].join('\n');

type Line = Record<string, unknown>;

describe('structured logs of a real `berth serve`', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('carry level, ISO time, msg, and instance/template/node and requestId where they apply', async () => {
    const { home, templates, cleanup } = await tempHome('structured-logs');
    cleanups.push(cleanup);
    await writeFile(join(templates, 'loghello.yaml'), TEMPLATE);
    const proc = spawn(
      process.execPath,
      [MAIN, 'serve', '--home', home, '--templates', templates, '--port', '0', '--proxy-port', '0'],
      {
        env: { ...process.env, BERTH_ADMIN_TOKEN: TOKEN, BERTH_LOG_FORMAT: 'json', BERTH_LOG_LEVEL: 'debug' },
      },
    );
    const exited = new Promise((r) => proc.once('exit', r));
    cleanups.push(async () => {
      proc.kill('SIGTERM');
      await exited;
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const api = await until('berth is listening', () => /"api":"(http:\/\/[^"]+)"/.exec(out)?.[1], 30_000);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${api}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const created = await call('POST', '/instances?wait=1', { template: 'loghello', name: 'log-1' });
    expect(created.status).toBe(201);
    expect((await call('POST', '/instances/log-1/stop?wait=1')).status).toBe(200);
    expect((await call('GET', '/instances/no-such')).status).toBe(404);
    proc.kill('SIGTERM');
    await exited;

    const raw = out.split('\n').filter((l) => l.trim() !== '');
    const lines = raw.map((l) => JSON.parse(l) as Line);
    for (const line of lines) {
      expect(LEVELS, JSON.stringify(line)).toContain(line.level);
      expect(line.time, JSON.stringify(line)).toMatch(ISO);
      expect(typeof line.msg, JSON.stringify(line)).toBe('string');
    }
    // A key written twice (bound on a child and added again) would be a line collectors misread.
    for (const l of raw)
      for (const k of ['instance', 'template', 'node', 'requestId']) {
        expect(l.split(`"${k}":`).length, l).toBeLessThanOrEqual(2);
      }
    const aboutInstance = lines.filter((l) => 'instance' in l);
    expect(aboutInstance.length).toBeGreaterThan(0);
    for (const l of aboutInstance) {
      expect(l, JSON.stringify(l)).toMatchObject({ instance: 'log-1', template: 'loghello', node: 'local' });
    }
    const inRequests = lines.filter((l) => typeof l.requestId === 'string');
    expect(inRequests.length).toBeGreaterThanOrEqual(3);
    // The core knows nothing of HTTP, yet its lines written while answering a request carry the id.
    expect(
      inRequests.some((l) => 'instance' in l && l.ns !== 'http'),
      JSON.stringify(inRequests),
    ).toBe(true);
  }, 90_000);
});
