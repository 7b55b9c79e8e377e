import type { DeploySpec } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeFile } from './compose-export.js';
import { containerConfig } from './container-config.js';
import { serviceSpec } from './swarm/service-spec.js';
import { stackFile } from './swarm/stack-file.js';
import { SECRET_ENV_WRAPPER } from './swarm/swarm-secrets.js';

/** A command template that names its image, as buildDeploySpec makes it (the token is an export's `${TOKEN}`). */
const spec: DeploySpec = {
  instanceId: 'i1',
  instanceName: 'hello-1',
  template: 'hello',
  node: 'n',
  owner: 'o1',
  dataDir: '/home/berth/hello-1',
  logDir: '/l',
  source: { kind: 'command', command: 'httpd', args: [], image: 'berth-test/busybox', cwd: '/www' },
  command: ['httpd', '-f', '-p', '24611', '--token', '${TOKEN}'],
  cwd: '/home/berth/hello-1',
  env: { PORT: '24611', GREETING: 'costs $5', TOKEN: '${TOKEN}' },
  ports: [{ name: 'http', hostPort: 24611, containerPort: null, protocol: 'tcp' }],
  labels: {},
  readiness: { kind: 'port', port: 24611 },
  readinessTimeoutMs: 1_000,
  stopTimeoutMs: 2_000,
  resources: { memoryMb: 32 },
  replicas: 3,
  templateDir: null,
  secretEnv: ['TOKEN'],
  health: {
    http: { port: 'http', path: '/' },
    intervalSeconds: 5,
    timeoutSeconds: 2,
    retries: 3,
    startPeriodSeconds: 0,
  },
};

describe('a command template that names its image, in a container', () => {
  it('runs its command as the entrypoint of the image, published on the port berth passed in', () => {
    const c = containerConfig({
      spec,
      name: 'c',
      image: 'berth-test/busybox',
      mounts: [],
      hostIp: '127.0.0.1',
    });
    expect(c.Entrypoint).toEqual(['httpd']);
    expect(c.Cmd).toEqual(['-f', '-p', '24611', '--token', '${TOKEN}']);
    expect(c.WorkingDir).toBe('/www');
    expect(c.HostConfig?.PortBindings).toEqual({ '24611/tcp': [{ HostIp: '127.0.0.1', HostPort: '24611' }] });
    expect(c.HostConfig?.Init).toBe(true);
  });

  it('is a Swarm service of that image: container port = published port, one replica per node', () => {
    const s = serviceSpec({
      spec,
      name: 'berth-hello-1',
      image: 'berth-test/busybox',
      publishMode: 'host',
      constraints: [],
      secrets: [],
      forceUpdate: 1,
    });
    expect(s.TaskTemplate?.ContainerSpec).toMatchObject({ Command: ['httpd'], Args: spec.command.slice(1) });
    expect(s.EndpointSpec?.Ports).toEqual([
      { Protocol: 'tcp', TargetPort: 24611, PublishedPort: 24611, PublishMode: 'host' },
    ]);
    expect(s.TaskTemplate?.Placement?.MaxReplicas).toBe(1);
    expect(s.TaskTemplate?.ContainerSpec?.HealthCheck?.Test).toContain('http://127.0.0.1:24611/');
  });
});

describe('export as a swarm stack file', () => {
  const text = stackFile(spec);
  const doc = parse(text);
  const svc = doc.services['hello-1'];

  it('is a compose v3 stack with replicas, resources, restart policy, host-mode ports', () => {
    expect(doc.version).toBe('3.8');
    expect(svc.image).toBe('berth-test/busybox');
    expect(svc.deploy).toMatchObject({
      replicas: 3,
      resources: { limits: { memory: '32M' } },
      restart_policy: { condition: 'on-failure', max_attempts: 5 },
      placement: { max_replicas_per_node: 1 },
    });
    expect(svc.ports).toEqual([{ target: 24611, published: 24611, protocol: 'tcp', mode: 'host' }]);
  });

  it('reads a secret from an external Docker secret through the runtime wrapper, never its value', () => {
    expect(doc.secrets).toEqual({ 'berth-hello-1-token': { external: true } });
    expect(svc.secrets).toEqual([
      { source: 'berth-hello-1-token', target: 'berth.env.TOKEN', uid: '0', gid: '0', mode: 0o444 },
    ]);
    expect(svc.environment.TOKEN).toBeUndefined();
    // `$` of berth's own text is escaped for the stack's interpolation; the wrapper is the runtime's.
    expect(svc.entrypoint).toEqual([
      '/bin/sh',
      '-c',
      SECRET_ENV_WRAPPER.replace(/\$/g, '$$$$'),
      'berth-secrets',
    ]);
    expect(svc.command).toEqual(['httpd', '-f', '-p', '24611', '--token', '${TOKEN}']);
    expect(svc.environment.GREETING).toBe('costs $$5');
  });
});

describe('export as a compose file for one host', () => {
  const text = composeFile(spec, { hostIp: '127.0.0.1' });
  const svc = parse(text).services['hello-1'];

  it('publishes the port, maps limits, restart and health, and refers to the secret by name', () => {
    expect(svc).toMatchObject({
      image: 'berth-test/busybox',
      entrypoint: ['httpd'],
      ports: ['127.0.0.1:24611:24611/tcp'],
      mem_limit: '32m',
      restart: 'on-failure:5',
      init: true,
    });
    expect(svc.environment.TOKEN).toBe('${TOKEN}');
    expect(svc.environment.GREETING).toBe('costs $$5');
    expect(svc.healthcheck.test).toContain('http://127.0.0.1:24611/');
    expect(text).toMatch(/# Set TOKEN in the environment/);
  });
});
