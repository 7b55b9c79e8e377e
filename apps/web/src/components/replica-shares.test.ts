import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ReplicaShares, type StatsShares } from './replica-shares';

const MI = 1024 ** 2;
const html = (shares: StatsShares | null) => renderToStaticMarkup(createElement(ReplicaShares, { shares }));

describe('the instance page’s usage per replica', () => {
  it('lists each replica (a Swarm task, a Kubernetes pod) with its node, CPU and memory', () => {
    const out = html({
      partial: false,
      reason: null,
      replicas: [
        { replica: 'web-7d-a', node: 'node-a', cpuPercent: 25, memoryBytes: 64 * MI, reason: null },
        { replica: 'web-7d-b', node: 'node-a', cpuPercent: 2.5, memoryBytes: 128 * MI, reason: null },
      ],
    });
    expect(out).toContain('aria-label="Usage per replica"');
    expect(out).toContain(
      '<tr data-replica-share="web-7d-a"><td>web-7d-a</td><td>node-a</td><td>25 %</td><td>64.0 MiB</td></tr>',
    );
    expect(out).toContain('<td>2.5 %</td><td>128 MiB</td>');
    expect(out).not.toContain('Partial');
  });

  it('says when the sum is partial and shows a replica it cannot read as n/a, with why', () => {
    const out = html({
      partial: true,
      reason: 'the sum of 1 of 2 replicas; n/a: replica 2 on w1: node w1 is down',
      replicas: [
        { replica: '1', node: 'manager', cpuPercent: 1, memoryBytes: MI, reason: null },
        { replica: '2', node: 'w1', cpuPercent: null, memoryBytes: null, reason: 'node w1 is down' },
      ],
    });
    expect(out).toContain('Partial: the sum of 1 of 2 replicas; n/a: replica 2 on w1: node w1 is down');
    expect(out).toContain('<td>w1</td><td colSpan="2">n/a: node w1 is down</td>');
  });

  it('shows nothing for a runtime that reads no replicas apart', () => {
    expect(html({ partial: false, reason: null, replicas: null })).toBe('');
    expect(html(null)).toBe('');
  });
});
