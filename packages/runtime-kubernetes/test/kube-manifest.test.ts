import type { DeploySpec } from '@berth/core';
import { loadAllYaml } from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { exportManifestYaml, SECRET_PLACEHOLDER } from '../src/kube-export.js';
import { renderManifest } from '../src/kube-manifest.js';
import { serverSpec } from './kube-fixture.js';

const spec: DeploySpec = {
  ...serverSpec({
    instanceId: 'inst-1',
    name: 'api-1',
    port: 31080,
    owner: 'owner-1',
    env: { TOKEN: 'hunter2' },
    replicas: 2,
  }),
  secretEnv: ['TOKEN'],
  resources: { memoryMb: 256, cpus: 0.5 },
  labels: { team: 'payments', 'note/with spaces': 'not a label' },
  health: {
    http: { port: 'http', path: '/health' },
    intervalSeconds: 10,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 2,
  },
};

describe('renderManifest (what the runtime applies and export --format kubernetes prints)', () => {
  const m = renderManifest(spec, { namespace: 'team-a' });

  it('validates against the real Kubernetes OpenAPI schemas', () => {
    expect(() => new Deployment(m.deployment as never).validate()).not.toThrow();
    expect(() => new Service(m.service as never).validate()).not.toThrow();
    expect(() => new Secret(m.secret as never).validate()).not.toThrow();
    // The same validators refuse a broken object: the check above can fail.
    const broken = { ...m.deployment, spec: { ...m.deployment.spec, replicas: 'two' } };
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('keeps secret values out of the Deployment: env reads them from the Secret', () => {
    expect(JSON.stringify(m.deployment)).not.toContain('hunter2');
    expect(m.secret?.stringData).toEqual({ TOKEN: 'hunter2' });
    const env = m.deployment.spec?.template.spec?.containers[0]?.env;
    expect(env).toContainEqual({
      name: 'TOKEN',
      valueFrom: { secretKeyRef: { name: m.deployment.metadata?.name, key: 'TOKEN' } },
    });
    expect(env).toContainEqual({ name: 'NAME', value: 'api-1' });
  });

  it('refuses a secret value in the arguments: a Deployment is public to whoever can read it', () => {
    const leaking = { ...spec, command: [...spec.command, '--token', 'hunter2'] };
    expect(() => renderManifest(leaking, { namespace: 'team-a' })).toThrow(/TOKEN would appear/);
  });

  it('maps replicas, resources, probes, the data dir and labels', () => {
    const d = m.deployment;
    const c = d.spec!.template.spec!.containers[0]!;
    expect(d.spec?.replicas).toBe(2);
    expect(c.resources).toEqual({
      limits: { memory: '256Mi', cpu: '0.5' },
      requests: { memory: '256Mi', cpu: '0.5' },
    });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/', port: 8080 });
    expect(c.livenessProbe).toMatchObject({
      httpGet: { path: '/health', port: 8080 },
      periodSeconds: 10,
      failureThreshold: 3,
      initialDelaySeconds: 2,
    });
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(d.spec?.template.spec?.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
    expect(d.metadata?.labels).toMatchObject({
      'berth.managed': 'true',
      'berth.owner': 'owner-1',
      'berth.instance-id': 'inst-1',
      'berth.instance': 'api-1',
      team: 'payments',
    });
    expect(d.metadata?.annotations?.['note/with spaces']).toBe('not a label');
    expect(d.spec?.selector.matchLabels).toEqual({ 'berth.owner': 'owner-1', 'berth.instance-id': 'inst-1' });
    expect(m.service?.spec).toMatchObject({
      type: 'NodePort',
      ports: [{ name: 'http', port: 8080, targetPort: 8080, nodePort: 31080, protocol: 'TCP' }],
    });
  });

  it('names the objects per owner and instance, so two installations never collide', () => {
    const other = renderManifest({ ...spec, owner: 'owner-2' }, { namespace: 'team-a' });
    expect(m.deployment.metadata?.name).toMatch(/^api-1-[0-9a-f]{6}$/);
    expect(other.deployment.metadata?.name).not.toBe(m.deployment.metadata?.name);
  });

  it('refuses a template that has no image (a command template) in words', () => {
    const command = {
      ...spec,
      source: { kind: 'command', command: 'node', args: [] },
    } as unknown as DeploySpec;
    expect(() => renderManifest(command, { namespace: 'x' })).toThrow(
      'a command template cannot run on a Kubernetes node: it needs an image',
    );
  });
});

describe('renderManifest with persistent data and ClusterIP Services', () => {
  const persistent: DeploySpec = { ...spec, data: { persistent: true, size: '2Gi', storageClass: 'ssd' } };

  it('claims the data directory in a PersistentVolumeClaim named and labelled as the instance, mounted where the emptyDir was', () => {
    const m = renderManifest(persistent, { namespace: 'team-a', storageClass: 'node-default' });
    expect(() => new PersistentVolumeClaim(m.claim as never).validate()).not.toThrow();
    expect(m.claim).toMatchObject({
      metadata: {
        name: m.deployment.metadata?.name,
        namespace: 'team-a',
        labels: { 'berth.managed': 'true', 'berth.owner': 'owner-1', 'berth.instance-id': 'inst-1' },
      },
      // The template's class wins over the node's.
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '2Gi' } },
        storageClassName: 'ssd',
      },
    });
    expect(m.deployment.spec?.template.spec?.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: m.deployment.metadata?.name } },
    ]);
    expect(() => new Deployment(m.deployment as never).validate()).not.toThrow();
  });

  it("takes the node's storage class when the template names none, and none at all (the cluster's default) when neither does", () => {
    const noClass: DeploySpec = { ...spec, data: { persistent: true, size: '1Gi' } };
    expect(
      renderManifest(noClass, { namespace: 'x', storageClass: 'fast' }).claim?.spec?.storageClassName,
    ).toBe('fast');
    expect(renderManifest(noClass, { namespace: 'x' }).claim?.spec).not.toHaveProperty('storageClassName');
    expect(
      renderManifest({ ...spec, data: { persistent: false, size: '1Gi' } }, { namespace: 'x' }).claim,
    ).toBe(undefined);
  });

  it('a ClusterIP Service has no nodePort: its port is the leased one, its target the container port', () => {
    const m = renderManifest(spec, { namespace: 'x', serviceType: 'ClusterIP' });
    expect(() => new Service(m.service as never).validate()).not.toThrow();
    expect(m.service?.spec).toEqual(
      expect.objectContaining({
        type: 'ClusterIP',
        ports: [{ name: 'http', protocol: 'TCP', port: 31080, targetPort: 8080 }],
      }),
    );
  });

  it('export prints the claim before the Deployment that mounts it, valid against the real schema', async () => {
    const docs = loadAllYaml(await exportManifestYaml(persistent, { namespace: 'team-a' })) as {
      kind: string;
    }[];
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'PersistentVolumeClaim', 'Service', 'Deployment']);
    expect(() => new PersistentVolumeClaim(docs[1] as never).validate()).not.toThrow();
  });
});

describe('exportManifestYaml (export --format kubernetes)', async () => {
  const yaml = await exportManifestYaml(spec, { namespace: 'team-a' });
  const docs = loadAllYaml(yaml) as { kind: string }[];

  it('prints Secret, Service and Deployment as YAML that validates against the real schemas', () => {
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Service', 'Deployment']);
    expect(() => new Secret(docs[0] as never).validate()).not.toThrow();
    expect(() => new Service(docs[1] as never).validate()).not.toThrow();
    expect(() => new Deployment(docs[2] as never).validate()).not.toThrow();
    expect(docs[2]).toEqual(
      JSON.parse(JSON.stringify(renderManifest(spec, { namespace: 'team-a' }).deployment)),
    );
  });

  it('never prints a secret value', () => {
    expect(yaml).not.toContain('hunter2');
    expect((docs[0] as unknown as { stringData: Record<string, string> }).stringData).toEqual({
      TOKEN: SECRET_PLACEHOLDER,
    });
  });
});
