import { describe, expect, it } from 'vitest';
import { buildDeploySpec, readinessFor, substitute } from './deploy-spec.js';
import type { Instance } from './instance.js';
import { validateTemplate } from './template.js';

const template = validateTemplate({
  name: 'api',
  source: {
    kind: 'command',
    command: 'server',
    args: ['--port=${PORT}', '--admin', '${PORT_ADMIN}', '`${process.env.X}`'],
  },
  ports: [
    { name: 'http', env: 'PORT' },
    { name: 'admin', http: false },
  ],
  env: { URL: 'http://127.0.0.1:${PORT}/' },
  config: {
    model: { type: 'string', env: 'MODEL', arg: '--model', default: 'small' },
    debug: { type: 'boolean', arg: '--debug' },
  },
});

const instance: Instance = {
  id: 'i1',
  name: 'api-1',
  template: 'api',
  node: 'local',
  config: { model: 'large', debug: true },
  portOverrides: {},
  desiredState: 'running',
  status: 'pending',
  health: null,
  errorMessage: null,
  restartCount: 0,
  lastExitCode: null,
  nextRetryAt: null,
  currentDeploymentId: null,
  dataDir: '/home/b/instances/api/api-1',
  createdAt: 0,
  updatedAt: 0,
};

describe('buildDeploySpec', () => {
  const spec = buildDeploySpec(
    template,
    instance,
    { http: 20001, admin: 20002 },
    { owner: 'o', logDir: '/l', templateDir: null },
  );

  it('substitutes known variables in args and env, never unknown ones, and appends config args', () => {
    expect(spec.command).toEqual([
      'server',
      '--port=20001',
      '--admin',
      '20002',
      '`${process.env.X}`',
      '--model',
      'large',
      '--debug',
    ]);
    expect(spec.env).toMatchObject({
      PORT: '20001',
      URL: 'http://127.0.0.1:20001/',
      MODEL: 'large',
      BERTH_INSTANCE: 'api-1',
    });
  });

  it('runs in the data directory, labels the workload and waits for its first port', () => {
    expect(spec.cwd).toBe('/home/b/instances/api/api-1');
    expect(spec.labels).toMatchObject({
      'berth.managed': 'true',
      'berth.owner': 'o',
      'berth.instance-id': 'i1',
    });
    expect(spec.readiness).toEqual({ kind: 'port', port: 20001 });
  });

  it('substitute leaves text without variables untouched', () => {
    expect(substitute('a ${B} $C ${} ${D-x}', { B: '1', C: '2' })).toBe('a 1 $C ${} ${D-x}');
  });
});

describe('buildDeploySpec: what runtimes may run themselves', () => {
  const withSecret = validateTemplate({
    name: 'db',
    source: { kind: 'image', image: 'db:1' },
    env: { DSN: 'postgres://u:${DB_PASSWORD}@h/db', PLAIN: 'x' },
    config: {
      password: { type: 'string', env: 'DB_PASSWORD', secret: true },
      region: { type: 'string', env: 'REGION' },
    },
    health: { tcp: { port: 'http' } },
    restart: { policy: 'always' },
    ports: [{ name: 'http', containerPort: 80 }],
  });

  it('names every env entry that carries a secret value, and passes health and restart on', () => {
    const spec = buildDeploySpec(
      withSecret,
      { ...instance, template: 'db', config: { password: 's3cret', region: 'eu' } },
      { http: 18000 },
      { owner: 'o', logDir: '/l', templateDir: null },
    );
    expect(spec.secretEnv).toEqual(['CONFIG_PASSWORD', 'DB_PASSWORD', 'DSN']);
    expect(spec.env.DSN).toContain('s3cret');
    expect(spec.health?.tcp?.port).toBe('http');
    expect(spec.restart?.policy).toBe('always');
  });

  it('names none when no field is secret', () => {
    const spec = buildDeploySpec(
      template,
      instance,
      { http: 18000, admin: 18001 },
      { owner: 'o', logDir: '/l', templateDir: null },
    );
    expect(spec.secretEnv).toEqual([]);
    expect(spec.health).toBeUndefined();
  });
});

const base = (fields: Record<string, unknown>) =>
  validateTemplate({ name: 't', source: { kind: 'command', command: 'app' }, ...fields });
const ctx = { owner: 'o', logDir: '/l', templateDir: null };

describe('buildDeploySpec: sources', () => {
  it('runs the version an instance picks, and the default command otherwise', () => {
    const t = base({
      source: { kind: 'command', command: 'node20', versions: { '18': { command: 'node18' } } },
    });
    expect(buildDeploySpec(t, { ...instance, config: { version: '18' } }, {}, ctx).command).toEqual([
      'node18',
    ]);
    expect(buildDeploySpec(t, { ...instance, config: {} }, {}, ctx).command).toEqual(['node20']);
  });

  it('a relative cwd is inside the data directory; an absolute one is kept', () => {
    const rel = base({ source: { kind: 'command', command: 'app', cwd: 'www' } });
    const abs = base({ source: { kind: 'command', command: 'app', cwd: '/srv/app' } });
    expect(buildDeploySpec(rel, instance, {}, ctx).cwd).toBe('/home/b/instances/api/api-1/www');
    expect(buildDeploySpec(abs, instance, {}, ctx).cwd).toBe('/srv/app');
  });

  it('an image passes its command with variables and config args; without one, the image’s own', () => {
    const withCmd = base({
      source: { kind: 'image', image: 'nginx', command: ['serve', '--port', '${PORT_HTTP}'] },
      ports: [{ name: 'http', containerPort: 80 }],
      config: { debug: { type: 'boolean', arg: '--debug' } },
    });
    expect(
      buildDeploySpec(withCmd, { ...instance, config: { debug: true } }, { http: 8080 }, ctx).command,
    ).toEqual(['serve', '--port', '8080', '--debug']);
    const bare = base({
      source: { kind: 'image', image: 'nginx' },
      ports: [{ name: 'http', containerPort: 80 }],
    });
    const spec = buildDeploySpec(bare, instance, { http: 8080 }, ctx);
    expect(spec.command).toEqual([]);
    expect(spec.ports).toEqual([{ name: 'http', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });

  it('a false boolean flag is left out; a number is passed as text', () => {
    const t = base({
      config: {
        debug: { type: 'boolean', arg: '--debug' },
        workers: { type: 'number', arg: '-w', env: 'WORKERS' },
      },
    });
    const spec = buildDeploySpec(t, { ...instance, config: { debug: false, workers: 4 } }, {}, ctx);
    expect(spec.command).toEqual(['app', '-w', '4']);
    expect(spec.env).toMatchObject({ WORKERS: '4', CONFIG_WORKERS: '4', CONFIG_DEBUG: 'false' });
  });

  it('carries timeouts, resources, replicas and the template folder', () => {
    const t = base({
      readiness: { kind: 'none', timeoutSeconds: 90 },
      stopTimeoutSeconds: 3,
      resources: { memoryMb: 256 },
      replicas: 2,
    });
    const spec = buildDeploySpec(t, instance, {}, { ...ctx, templateDir: '/etc/berth/templates' });
    expect(spec).toMatchObject({
      readinessTimeoutMs: 90_000,
      stopTimeoutMs: 3_000,
      resources: { memoryMb: 256 },
      replicas: 2,
      templateDir: '/etc/berth/templates',
      owner: 'o',
      logDir: '/l',
    });
  });
});

describe('buildDeploySpec: variables', () => {
  it('names every port PORT_<NAME> (dashes as underscores) and by its env; berth’s own are always set', () => {
    const t = base({ ports: [{ name: 'grpc-api', env: 'GRPC' }, { name: 'metrics' }] });
    const spec = buildDeploySpec(t, instance, { 'grpc-api': 20010, metrics: 20011 }, ctx);
    expect(spec.env).toMatchObject({
      PORT_GRPC_API: '20010',
      GRPC: '20010',
      PORT_METRICS: '20011',
      BERTH_INSTANCE: 'api-1',
      BERTH_INSTANCE_ID: 'i1',
      BERTH_TEMPLATE: 't',
      BERTH_DATA_DIR: '/home/b/instances/api/api-1',
    });
  });

  it('berth’s values win over a template env of the same name', () => {
    const t = base({ ports: [{ name: 'http', env: 'PORT' }], env: { PORT: '1', BERTH_INSTANCE: 'fake' } });
    const spec = buildDeploySpec(t, instance, { http: 20001 }, ctx);
    expect(spec.env.PORT).toBe('20001');
    expect(spec.env.BERTH_INSTANCE).toBe('api-1');
  });

  it('opens sealed config values for the workload only, leaving the instance as it was', () => {
    const t = base({ config: { token: { type: 'string', secret: true, env: 'TOKEN' } } });
    const sealed = { ...instance, config: { token: 'sealed:v1:abc' } };
    const box = { seal: (s: string) => s, open: (s: string) => (s === 'abc' ? '"s3cret"' : 'null') };
    const spec = buildDeploySpec(t, sealed, {}, { ...ctx, secrets: box });
    expect(spec.env.TOKEN).toBe('s3cret');
    expect(sealed.config.token).toBe('sealed:v1:abc');
    expect(() => buildDeploySpec(t, sealed, {}, ctx)).toThrow('berth has no secrets key');
  });
});

describe('readinessFor', () => {
  const ports = { http: 20001, admin: 20002 };
  const two = { ports: [{ name: 'admin', http: false }, { name: 'http' }] };

  it('follows the template’s readiness: port, http, log, health or none', () => {
    expect(
      readinessFor(base({ ...two, readiness: { kind: 'http', port: 'http', path: '/up' } }), ports),
    ).toEqual({
      kind: 'http',
      port: 20001,
      path: '/up',
    });
    expect(readinessFor(base({ ...two, readiness: { kind: 'port' } }), ports)).toEqual({
      kind: 'port',
      port: 20002,
    });
    expect(readinessFor(base({ readiness: { kind: 'log', pattern: 'ready' } }), {})).toEqual({
      kind: 'log',
      pattern: 'ready',
    });
    expect(readinessFor(base({ readiness: { kind: 'health' } }), {})).toEqual({ kind: 'health' });
    expect(readinessFor(base({ ...two, readiness: { kind: 'none' } }), ports)).toEqual({ kind: 'none' });
  });

  it('without one, waits as the health check would, else for the first tcp port, else not at all', () => {
    const httpHealth = base({ ...two, health: { http: { port: 'http', path: '/h', expectStatus: 204 } } });
    expect(readinessFor(httpHealth, ports)).toEqual({
      kind: 'http',
      port: 20001,
      path: '/h',
      expectStatus: 204,
    });
    expect(readinessFor(base({ ...two, health: { tcp: { port: 'http' } } }), ports)).toEqual({
      kind: 'port',
      port: 20001,
    });
    const udpFirst = base({ ports: [{ name: 'dns', protocol: 'udp' }, { name: 'web' }] });
    expect(readinessFor(udpFirst, { dns: 53, web: 20003 })).toEqual({ kind: 'port', port: 20003 });
    expect(readinessFor(base({}), {})).toEqual({ kind: 'none' });
  });

  it('a port readiness whose port has no lease waits for nothing rather than a wrong port', () => {
    expect(readinessFor(base({ ...two, readiness: { kind: 'port', port: 'http' } }), {})).toEqual({
      kind: 'none',
    });
  });
});
