import { InvalidInput } from '@berth/core';
import type { Berth } from '@berth/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helloTemplate, openBerth, tempHome, writeTemplate } from './support.js';

describe('template files', () => {
  let env: Awaited<ReturnType<typeof tempHome>>;
  let berth: Berth;

  beforeAll(async () => {
    env = await tempHome('tpl');
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 13600));
    // `berth templates reload` itself: the folder watch (templates-watch.test.ts) would load first
    berth = await openBerth(env.home, env.templates, { watchTemplates: false });
  });

  afterAll(async () => {
    await berth.close();
    await env.cleanup();
  });

  it('loads the README example as written', () => {
    expect(berth.templates.list().map((t) => t.template.name)).toEqual(['hello']);
  });

  it('a reload counts only real changes: unchanged files are not reported as updated', async () => {
    const again = await berth.reloadTemplates();
    expect(again).toMatchObject({ added: [], updated: [], unchanged: ['hello'], removed: [] });
    const before = berth.templates.get('hello').updatedAt;
    await writeTemplate(
      env.templates,
      'hello.yaml',
      helloTemplate('hello', 13600).replace('GREETING: hello', 'GREETING: hi'),
    );
    const changed = await berth.reloadTemplates();
    expect(changed).toMatchObject({ added: [], updated: ['hello'], unchanged: [] });
    expect(berth.templates.get('hello').updatedAt).toBeGreaterThanOrEqual(before);
    await writeTemplate(env.templates, 'hello.yaml', helloTemplate('hello', 13600));
    expect((await berth.reloadTemplates()).updated).toEqual(['hello']);
  });

  it('reports a bad file by file, field and reason, and changes nothing', async () => {
    await writeTemplate(env.templates, 'good.yaml', helloTemplate('good', 13700));
    await writeTemplate(
      env.templates,
      'bad.yaml',
      helloTemplate('bad', 13800).replace('env: PORT', 'env: 9PORT'),
    );
    const err = await berth.reloadTemplates().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    const message = (err as InvalidInput).message;
    expect(message).toContain('bad.yaml');
    expect(message).toContain('ports[0].env');
    expect(message).toMatch(/environment variable name/);
    // nothing half-written: the good file of the same reload was not added either
    expect(berth.templates.list().map((t) => t.template.name)).toEqual(['hello']);
  });

  it('refuses instance names that are not DNS labels', async () => {
    for (const name of ['../up', 'a/b', 'x;y', '$(id)', 'UPPER']) {
      await expect(berth.instances.create({ template: 'hello', name, start: false })).rejects.toThrow(
        /instance name/,
      );
    }
    expect(berth.instances.list()).toEqual([]);
  });
});
