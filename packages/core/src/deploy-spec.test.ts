import { describe, expect, it } from 'vitest';
import { buildDeploySpec, substitute } from './deploy-spec.js';
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
