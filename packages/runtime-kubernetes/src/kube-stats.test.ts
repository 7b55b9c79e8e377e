import { isStatsUnavailable, partialReason } from '@berth/core';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type PodMetrics, podShares, quantity } from './kube-stats.js';

const MI = 1024 ** 2;
const allocatable = new Map([['node-a', 4096 * MI]]);

function pod(
  name: string,
  opts: { instance?: string; limit?: string; phase?: string; deleting?: boolean } = {},
): V1Pod {
  const running = (opts.phase ?? 'Running') === 'Running';
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { 'berth.instance-id': opts.instance ?? 'i1' },
      ...(opts.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: {
      nodeName: 'node-a',
      containers: [{ name: 'app', ...(opts.limit ? { resources: { limits: { memory: opts.limit } } } : {}) }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: 'x',
          imageID: '',
          ready: running,
          restartCount: 0,
          state: running ? { running: {} } : { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    },
  };
}

/** A PodMetrics as metrics-server serves it. */
function metrics(name: string, cpu: string, memory: string): PodMetrics {
  return {
    metadata: { name, namespace: 'default' },
    timestamp: '2026-12-04T17:00:00Z',
    window: '15s',
    containers: [{ name: 'app', usage: { cpu, memory } }],
  };
}

describe('a Kubernetes instance’s stats, pod by pod, from metrics.k8s.io', () => {
  it('reads quantities in every unit metrics-server writes', () => {
    expect(quantity('250m')).toBeCloseTo(0.25);
    expect(quantity('1500000n')).toBeCloseTo(0.0015);
    expect(quantity('2048Ki')).toBe(2 * MI);
    expect(quantity('1G')).toBe(1e9);
    expect(Number.isNaN(quantity('lots'))).toBe(true);
  });

  it('gives each running pod its share, named by the pod and its node, and the total is their sum', () => {
    const got = podShares(
      [pod('web-7d-b'), pod('web-7d-a')],
      [metrics('web-7d-a', '250m', `${64 * 1024}Ki`), metrics('web-7d-b', '500000000n', '128Mi')],
      allocatable,
    ).get('i1');
    if (!got || isStatsUnavailable(got)) throw new Error(`expected a sample, got ${JSON.stringify(got)}`);
    expect(got.replicas).toEqual([
      { replica: 'web-7d-a', node: 'node-a', cpuPercent: 25, memoryBytes: 64 * MI, reason: null },
      { replica: 'web-7d-b', node: 'node-a', cpuPercent: 50, memoryBytes: 128 * MI, reason: null },
    ]);
    expect(got.cpuPercent).toBe(75);
    expect(got.memoryBytes).toBe(192 * MI);
    // Memory as a share of the node's allocatable memory, once per pod (no limits).
    expect(got.memoryPercent).toBeCloseTo((192 / 8192) * 100);
    expect(partialReason(got.replicas)).toBeNull();
  });

  it('a pod without metrics yet is n/a with the reason, and the sum of the others is partial, saying so', () => {
    const got = podShares(
      [pod('web-a', { limit: '256Mi' }), pod('web-b', { limit: '256Mi' })],
      [metrics('web-a', '100m', '64Mi')],
      allocatable,
    ).get('i1');
    if (!got || isStatsUnavailable(got)) throw new Error(`expected a sample, got ${JSON.stringify(got)}`);
    expect(got).toMatchObject({ cpuPercent: 10, memoryBytes: 64 * MI, memoryPercent: 25 });
    expect(got.replicas?.[1]).toEqual({
      replica: 'web-b',
      node: 'node-a',
      cpuPercent: null,
      memoryBytes: null,
      reason: 'no metrics for it yet (metrics.k8s.io lists a pod once metrics-server has measured it)',
    });
    expect(partialReason(got.replicas)).toBe(
      'the sum of 1 of 2 replicas; n/a: replica web-b on node-a: no metrics for it yet (metrics.k8s.io lists a pod once metrics-server has measured it)',
    );
  });

  it('an instance none of whose pods has metrics is n/a, pod by pod', () => {
    const got = podShares([pod('web-a')], [metrics('other', '1', '1Mi')], allocatable).get('i1');
    expect(got).toMatchObject({
      unavailable:
        'none of its replicas can be read: replica web-a on node-a: no metrics for it yet (metrics.k8s.io lists a pod once metrics-server has measured it)',
      replicas: [{ replica: 'web-a', cpuPercent: null, memoryBytes: null }],
    });
  });

  it('a usage it cannot read is n/a quoting it, never NaN in the sum', () => {
    const got = podShares(
      [pod('web-a'), pod('web-b')],
      [metrics('web-a', '1', '1Mi'), metrics('web-b', 'lots', '1Mi')],
      allocatable,
    ).get('i1');
    if (!got || isStatsUnavailable(got)) throw new Error('expected a sample');
    expect(got.cpuPercent).toBe(100);
    expect(got.replicas?.[1]?.reason).toBe(
      'its PodMetrics has a usage berth cannot read (app: cpu lots, memory 1Mi)',
    );
  });

  it('counts only running pods, keeps instances apart, and gives none for an instance with no running pod', () => {
    const shares = podShares(
      [
        pod('web-a'),
        pod('web-old', { deleting: true }),
        pod('web-new', { phase: 'Pending' }),
        pod('db-a', { instance: 'i2' }),
        pod('idle-a', { instance: 'i3', phase: 'Pending' }),
      ],
      [metrics('web-a', '1', '1Mi'), metrics('web-old', '1', '1Mi'), metrics('db-a', '2', '2Mi')],
      allocatable,
    );
    expect([...shares.keys()].sort()).toEqual(['i1', 'i2']);
    expect(shares.get('i1')).toMatchObject({ cpuPercent: 100, replicas: [{ replica: 'web-a' }] });
    expect(shares.get('i2')).toMatchObject({ cpuPercent: 200, memoryBytes: 2 * MI });
  });
});
