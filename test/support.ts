import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Berth, type BerthOptions, createBerth, loadServerConfig } from '@berth/server';
import pino from 'pino';

/**
 * A template like the README's `hello`, on a port range only this test file uses: `width` ports
 * from `from` (100 unless given; see test/port-blocks.ts for whose block is whose).
 */
export function helloTemplate(
  name: string,
  from: number,
  opts: { delayMs?: number; width?: number } = {},
): string {
  const code = `setTimeout(()=>require('http').createServer((q,s)=>s.end(process.env.GREETING)).listen(process.env.PORT),${opts.delayMs ?? 0})`;
  return [
    `name: ${name}`,
    'source:',
    '  kind: command',
    '  command: node',
    `  args: ["-e", ${JSON.stringify(code)}]`,
    'ports:',
    '  - name: http',
    '    env: PORT',
    `    preferred: ${from}`,
    `    range: [${from}, ${from + (opts.width ?? 100) - 1}]`,
    'env:',
    '  GREETING: hello',
    'health:',
    '  http: { port: http, path: / }',
    'stopTimeoutSeconds: 3',
    '',
  ].join('\n');
}

export async function tempHome(
  prefix: string,
): Promise<{ home: string; templates: string; cleanup(): Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), `berth-${prefix}-`));
  const templates = join(home, 'templates');
  await mkdir(templates, { recursive: true });
  return { home, templates, cleanup: () => rm(home, { recursive: true, force: true }) };
}

export async function writeTemplate(dir: string, file: string, text: string): Promise<void> {
  await writeFile(join(dir, file), text);
}

export function openBerth(
  home: string,
  templates: string,
  opts: Pick<BerthOptions, 'hostBootedAt' | 'watchTemplates'> = {},
): Promise<Berth> {
  const config = loadServerConfig(
    { home, templates, port: 0, proxyPort: 0 },
    // builds read their fixtures from copies under the temp folder
    { BERTH_ADMIN_TOKEN: 'test-token', BERTH_ALLOW_PATHS: tmpdir() },
  );
  return createBerth(config, { log: pino({ level: 'silent' }), tickMs: 200, ...opts });
}

/** Holds a TCP port the way an unrelated program would. */
export function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '0.0.0.0', () => resolve(s));
  });
}

export async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return res.text();
}
