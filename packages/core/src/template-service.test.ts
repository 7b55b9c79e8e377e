import {
  type BerthEvent,
  Conflict,
  EventBus,
  type Instance,
  InvalidInput,
  NotFound,
  TemplateService,
  templateSchema,
} from '@berth/core';
import type { SqliteStore } from '@berth/store-sqlite';
import { ManualClock, memoryStore } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let clock: ManualClock;
let store: SqliteStore;
let events: BerthEvent[];
let templates: TemplateService;

beforeEach(async () => {
  clock = new ManualClock();
  store = await memoryStore({ clock });
  const bus = new EventBus(store, clock);
  events = [];
  bus.subscribe((e) => events.push(e));
  templates = new TemplateService(store, bus, clock);
});
afterEach(() => store.close());

const body = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  source: { kind: 'command', command: 'app' },
  ...extra,
});
const file = (name: string, path = `/t/${name}.yaml`, extra: Record<string, unknown> = {}) => ({
  path,
  template: templateSchema.parse(body(name, extra)),
});

/** An instance of `template`, as InstanceService would store it. */
function instanceOf(template: string, name: string): void {
  const inst: Instance = {
    id: `id-${name}`,
    name,
    template,
    node: 'local',
    config: {},
    portOverrides: {},
    desiredState: 'stopped',
    status: 'stopped',
    health: null,
    errorMessage: null,
    restartCount: 0,
    lastExitCode: null,
    nextRetryAt: null,
    currentDeploymentId: null,
    dataDir: `/d/${name}`,
    createdAt: clock.now(),
    updatedAt: clock.now(),
  };
  store.instances.insert(inst);
}

describe('TemplateService through the API', () => {
  it('creates a template from a body, filling defaults, recorded as made through the API', () => {
    const saved = templates.create(body('web'));
    expect(saved.origin).toEqual({ kind: 'api' });
    expect(saved.template).toMatchObject({ name: 'web', ports: [], stopTimeoutSeconds: 10 });
    expect(templates.get('web').updatedAt).toBe(clock.now());
    expect(events).toMatchObject([
      { type: 'template.changed', message: 'template web saved', data: { name: 'web' } },
    ]);
  });

  it('refuses a body that is no template, naming the field, and stores nothing', () => {
    let err: unknown;
    try {
      templates.create(body('web', { ports: [{ name: 'HTTP' }] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err).toMatchObject({ code: 'INVALID_TEMPLATE' });
    expect((err as Error).message).toContain('request body is not a valid template');
    expect((err as Error).message).toContain('ports[0].name');
    expect(templates.list()).toEqual([]);
  });

  it('refuses to shadow a template that exists', () => {
    templates.create(body('web'));
    expect(() => templates.create(body('web', { description: 'another' }))).toThrow(
      "a template named 'web' already exists",
    );
    expect(templates.get('web').template.description).toBeUndefined();
  });

  it('updates in place, keeping where it came from; the body must name the same template', async () => {
    templates.sync([file('web')]);
    await clock.advance(1_000);
    const updated = templates.update('web', body('web', { description: 'v2' }));
    expect(updated).toMatchObject({ origin: { kind: 'file', path: '/t/web.yaml' }, updatedAt: clock.now() });
    expect(templates.get('web').template.description).toBe('v2');
    expect(() => templates.update('web', body('api'))).toThrow(Conflict);
    expect(() => templates.update('ghost', body('ghost'))).toThrow(NotFound);
  });

  it('deletes a template without instances; one with instances is refused with the count', () => {
    templates.create(body('web'));
    templates.create(body('api'));
    instanceOf('web', 'web-1');
    instanceOf('web', 'web-2');
    let err: unknown;
    try {
      templates.delete('web');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'TEMPLATE_IN_USE',
      message: "template 'web' still has 2 instances; remove them first",
      details: { instances: 2 },
    });
    templates.delete('api');
    expect(templates.list().map((t) => t.template.name)).toEqual(['web']);
    expect(events.at(-1)).toMatchObject({ message: 'template api deleted' });
    expect(() => templates.delete('api')).toThrow(NotFound);
  });
});

describe('TemplateService.sync (the templates folder)', () => {
  it('adds what the folder has, then reports unchanged files as unchanged', () => {
    expect(templates.sync([file('web'), file('api')])).toEqual({
      added: ['web', 'api'],
      updated: [],
      unchanged: [],
      removed: [],
      kept: [],
    });
    expect(templates.sync([file('web'), file('api')])).toMatchObject({
      added: [],
      updated: [],
      unchanged: ['web', 'api'],
    });
  });

  it('updates a file whose content or path changed', () => {
    templates.sync([file('web')]);
    expect(templates.sync([file('web', '/t/web.yaml', { description: 'v2' })]).updated).toEqual(['web']);
    expect(templates.sync([file('web', '/t/moved/web.yaml', { description: 'v2' })]).updated).toEqual([
      'web',
    ]);
    expect(templates.get('web').origin).toEqual({ kind: 'file', path: '/t/moved/web.yaml' });
  });

  it('removes a template whose file is gone, unless instances still use it', () => {
    templates.sync([file('web'), file('api'), file('db')]);
    instanceOf('api', 'api-1');
    expect(templates.sync([file('web')])).toMatchObject({ removed: ['db'], kept: ['api'] });
    expect(
      templates
        .list()
        .map((t) => t.template.name)
        .sort(),
    ).toEqual(['api', 'web']);
  });

  it('never touches a template made through the API, even one a file names too', () => {
    templates.create(body('web', { description: 'from the API' }));
    const result = templates.sync([file('web', '/t/web.yaml', { description: 'from a file' })]);
    expect(result.kept).toEqual(['web']);
    expect(templates.get('web')).toMatchObject({
      origin: { kind: 'api' },
      template: { description: 'from the API' },
    });
    templates.sync([]);
    expect(templates.get('web').origin).toEqual({ kind: 'api' });
  });

  it('a name defined by two files changes nothing and names both files', () => {
    templates.sync([file('web')]);
    expect(() => templates.sync([file('api'), file('web', '/t/a.yaml'), file('web', '/t/b.yaml')])).toThrow(
      "template 'web' is defined twice: /t/a.yaml and /t/b.yaml",
    );
    expect(templates.list().map((t) => t.template.name)).toEqual(['web']);
  });

  it('a sync is all or nothing: a write that fails leaves the templates as they were', () => {
    templates.sync([file('web'), file('api')]);
    const real = store.templates;
    const failing = new Proxy(real, {
      get: (t, k) =>
        k === 'delete'
          ? () => {
              throw new Error('disk I/O error');
            }
          : Reflect.get(t, k),
    });
    Object.defineProperty(store, 'templates', { value: failing, configurable: true });
    expect(() => templates.sync([file('db')])).toThrow('disk I/O error');
    Object.defineProperty(store, 'templates', { value: real, configurable: true });
    expect(
      templates
        .list()
        .map((t) => t.template.name)
        .sort(),
    ).toEqual(['api', 'web']);
  });
});
