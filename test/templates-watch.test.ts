import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadServerConfig, type RunningServer, startServer } from '@berth/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT_BLOCKS } from './port-blocks.js';
import { helloTemplate, tempHome, until, writeTemplate } from './support.js';

// Templates name ports in this file's block; no instance is started.
const [FROM] = PORT_BLOCKS['test/templates-watch'];

/**
 * Issue 16 §6: the templates folder is watched. A file added, changed or removed takes effect
 * without `berth templates reload`; a broken file is told (log and event: file, field, reason) and
 * leaves the other templates and its own last good version in place. A real folder and a real
 * server; every wait is a poll of the API.
 */
describe('the templates folder is watched', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let server: RunningServer;
  const logLines: { msg?: string; file?: string; field?: string | null }[] = [];

  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely
  async function api(path: string): Promise<any> {
    const res = await fetch(`${server.apiUrl}/api/v1${path}`, {
      headers: { authorization: 'Bearer test-token' },
    });
    expect(res.status).toBe(200);
    return res.json();
  }
  const names = async () =>
    ((await api('/templates')) as { template: { name: string } }[]).map((t) => t.template.name);
  const greeting = async (name: string) => (await api(`/templates/${name}`)).template.env.GREETING as string;

  beforeAll(async () => {
    env = await tempHome('tpl-watch');
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', FROM, { width: 10 }));
    const config = loadServerConfig(
      { home: env.home, templates: env.templates, port: 0, proxyPort: 0 },
      { BERTH_ADMIN_TOKEN: 'test-token' },
    );
    const log = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
    server = await startServer(config, { announce: false, log });
  });

  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('a file added to the folder becomes a template, with an event saying so', async () => {
    await writeTemplate(env.templates, 'added.yaml', helloTemplate('added', FROM + 10, { width: 10 }));
    await until('added loaded', async () => (await names()).includes('added'));
    const events = (await api('/events?limit=1000')) as { type: string; data: { name?: string } }[];
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'template.changed', data: { name: 'added', change: 'added' } }),
    );
  });

  it('a file changed in place is read again', async () => {
    const hi = helloTemplate('hello', FROM, { width: 10 }).replace('GREETING: hello', 'GREETING: hi');
    await writeTemplate(env.templates, 'hello.yaml', hi);
    await until('hello updated', async () => (await greeting('hello')) === 'hi');
  });

  it('a broken file is told by file, field and reason; its last good version and the others stay', async () => {
    const broken = helloTemplate('hello', FROM, { width: 10 })
      .replace('GREETING: hello', 'GREETING: broken')
      .replace('env: PORT', 'env: 9PORT');
    await writeTemplate(env.templates, 'hello.yaml', broken);
    // a good file beside it in the same change still loads
    await writeTemplate(env.templates, 'other.yaml', helloTemplate('other', FROM + 20, { width: 10 }));
    const file = join(env.templates, 'hello.yaml');
    const told = await until('the broken file told', async () => {
      const events = (await api('/events?limit=1000')) as {
        type: string;
        message: string;
        data: { file: string; field: string | null; reason: string };
      }[];
      return events.find((e) => e.type === 'template.invalid' && e.data.file === file);
    });
    expect(told.data.field).toBe('ports[0].env');
    expect(told.data.reason).toMatch(/ports\[0\]\.env: .*environment variable name/);
    expect(told.message).toContain(file);
    await until('other loaded', async () => (await names()).includes('other'));
    expect(await names()).toEqual(['added', 'hello', 'other']);
    expect(await greeting('hello')).toBe('hi'); // the last good version
    const logged = logLines.find((l) => l.file === file);
    expect(logged).toMatchObject({ field: 'ports[0].env' });
    expect(logged?.msg).toMatch(/environment variable name/);
  });

  it('a file that cannot be parsed at all keeps its template too, and fixing the file loads it', async () => {
    await writeTemplate(env.templates, 'hello.yaml', 'name: hello\nsource: [unclosed\n');
    const file = join(env.templates, 'hello.yaml');
    await until('the unparsable file told', async () => {
      const events = (await api('/events?limit=1000')) as {
        type: string;
        data: { file: string; reason: string };
      }[];
      return events.find(
        (e) => e.type === 'template.invalid' && e.data.file === file && /parsed/.test(e.data.reason),
      );
    });
    expect(await greeting('hello')).toBe('hi');
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', FROM, { width: 10 }));
    await until('hello fixed', async () => (await greeting('hello')) === 'hello');
  });

  it('a file removed takes its template with it', async () => {
    await rm(join(env.templates, 'added.yaml'));
    await until('added gone', async () => !(await names()).includes('added'));
    expect(await names()).toEqual(['hello', 'other']);
  });
});
