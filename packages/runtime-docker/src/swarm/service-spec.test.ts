import type { DeploySpec } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { healthCheck, restartPolicy, serviceSpec } from './service-spec.js';
import { SECRET_ENV_WRAPPER } from './swarm-secrets.js';

const spec: DeploySpec = {
  instanceId: 'i1',
  instanceName: 'web-1',
  template: 'web',
  node: 'swarm',
  owner: 'o1',
  dataDir: '/d',
  logDir: '/l',
  source: {
    kind: 'image',
    image: 'web:1',
    volumes: [{ target: '/data', type: 'data', readOnly: false }],
    init: true,
  },
  command: ['serve', '--port', '80'],
  cwd: '/d',
  env: { PLAIN: 'p', TOKEN: 's3cret' },
  ports: [{ name: 'http', hostPort: 24001, containerPort: 80, protocol: 'tcp' }],
  labels: {},
  readiness: { kind: 'none' },
  readinessTimeoutMs: 1_000,
  stopTimeoutMs: 3_000,
  resources: { memoryMb: 64, cpus: 0.5 },
  replicas: 2,
  templateDir: null,
};

const input = {
  spec,
  name: 'berth-web-1',
  image: 'web:1',
  constraints: ['node.role==worker'],
  forceUpdate: 1,
};

describe('serviceSpec', () => {
  it('maps replicas, labels, limits, host-mode ports (one replica per node) and a named volume', () => {
    const s = serviceSpec({ ...input, publishMode: 'host', secrets: [] });
    expect(s.Mode).toEqual({ Replicated: { Replicas: 2 } });
    expect(s.Labels).toMatchObject({
      'berth.owner': 'o1',
      'berth.instance-id': 'i1',
      'berth.runtime': 'swarm',
    });
    const task = s.TaskTemplate as {
      ContainerSpec: Record<string, unknown>;
      Placement: unknown;
      Resources: unknown;
    };
    expect(task.Placement).toEqual({ Constraints: ['node.role==worker'], MaxReplicas: 1 });
    expect(task.Resources).toEqual({ Limits: { MemoryBytes: 64 * 1024 * 1024, NanoCPUs: 500_000_000 } });
    expect(s.EndpointSpec?.Ports).toEqual([
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 24001, PublishMode: 'host' },
    ]);
    expect(task.ContainerSpec).toMatchObject({
      Args: ['serve', '--port', '80'],
      Env: ['PLAIN=p', 'TOKEN=s3cret'],
      StopGracePeriod: 3_000_000_000,
      Mounts: [expect.objectContaining({ Type: 'volume', Source: 'berth-web-1-data', Target: '/data' })],
    });
    // Task containers are the service's: no owner label for the Docker runtime to list them by.
    expect(task.ContainerSpec.Labels).not.toHaveProperty('berth.owner');
  });

  it('leaves the per-node limit off with the routing mesh', () => {
    const s = serviceSpec({ ...input, publishMode: 'ingress', secrets: [] });
    expect((s.TaskTemplate as { Placement: unknown }).Placement).toEqual({
      Constraints: ['node.role==worker'],
    });
  });

  it('keeps secret env entries out of the spec: a wrapper exports them from the secret files', () => {
    const s = serviceSpec({
      ...input,
      spec: { ...spec, secretEnv: ['TOKEN'] },
      publishMode: 'host',
      secrets: [{ id: 'sid', name: 'berth-web-1-token-ab', env: 'TOKEN' }],
      argv: ['/entry', 'serve'],
    });
    expect(JSON.stringify(s)).not.toContain('s3cret');
    const c = (s.TaskTemplate as { ContainerSpec: Record<string, unknown> }).ContainerSpec;
    expect(c.Command).toEqual(['/bin/sh', '-c', SECRET_ENV_WRAPPER, 'berth-secrets']);
    expect(c.Args).toEqual(['/entry', 'serve']);
    expect(c.Secrets).toEqual([
      {
        SecretID: 'sid',
        SecretName: 'berth-web-1-token-ab',
        File: { Name: 'berth.env.TOKEN', UID: '0', GID: '0', Mode: 0o444 },
      },
    ]);
  });

  it('refuses a secret value in the arguments: a service spec is public to whoever inspects it', () => {
    const leaking = {
      ...input,
      spec: { ...spec, secretEnv: ['TOKEN'] },
      publishMode: 'host' as const,
      secrets: [{ id: 'sid', name: 'berth-web-1-token-ab', env: 'TOKEN' }],
      argv: ['/entry', 'serve', '--token', 's3cret'],
    };
    expect(() => serviceSpec(leaking)).toThrow(/TOKEN would appear in the command's arguments/);
  });
});

describe('restartPolicy and healthCheck', () => {
  it('maps never/on-failure/always to none/on-failure/any with backoff and retries', () => {
    const base = {
      maxRetries: 3,
      backoffSeconds: 2,
      maxBackoffSeconds: 60,
      resetAfterSeconds: 30,
      onUnhealthy: true,
    };
    expect(restartPolicy({ ...base, policy: 'never' }).Condition).toBe('none');
    expect(restartPolicy({ ...base, policy: 'on-failure' })).toEqual({
      Condition: 'on-failure',
      Delay: 2e9,
      MaxAttempts: 3,
      Window: 30e9,
    });
    expect(restartPolicy({ ...base, policy: 'always' })).toMatchObject({ Condition: 'any', MaxAttempts: 0 });
    expect(restartPolicy(undefined)).toMatchObject({ Condition: 'on-failure', MaxAttempts: 5 });
  });

  it('runs the template health check inside the task against the container port', () => {
    const timing = { intervalSeconds: 5, timeoutSeconds: 2, retries: 3, startPeriodSeconds: 1 };
    expect(healthCheck({ http: { port: 'http', path: '/up' }, ...timing }, spec)).toEqual({
      Test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:80/up'],
      Interval: 5e9,
      Timeout: 2e9,
      Retries: 3,
      StartPeriod: 1e9,
    });
    expect(healthCheck({ tcp: { port: 'http' }, ...timing }, spec)?.Test).toEqual([
      'CMD',
      'nc',
      '-z',
      '127.0.0.1',
      '80',
    ]);
    expect(healthCheck({ command: ['check'], ...timing }, spec)?.Test).toEqual(['CMD', 'check']);
  });
});
