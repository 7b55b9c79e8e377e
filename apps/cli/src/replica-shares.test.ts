import { describe, expect, it } from 'vitest';
import { replicaShareLines } from './replica-shares.js';

const MI = 1024 ** 2;

describe('berth stats <name>: each replica’s share', () => {
  it('lists each replica with its node, CPU and memory', () => {
    expect(
      replicaShareLines([
        { replica: 'web-7d-a', node: 'node-a', cpuPercent: 25, memoryBytes: 64 * MI, reason: null },
        { replica: 'web-7d-b', node: 'node-a', cpuPercent: 50, memoryBytes: 128 * MI, reason: null },
      ]),
    ).toEqual([
      'replicas:',
      '  REPLICA   NODE    CPU %  MEMORY',
      '  web-7d-a  node-a  25.0%  64.0 MiB',
      '  web-7d-b  node-a  50.0%  128 MiB',
    ]);
  });

  it('shows a replica it cannot read as n/a, with why', () => {
    const lines = replicaShareLines([
      { replica: '1', node: 'manager', cpuPercent: 1.5, memoryBytes: 10 * MI, reason: null },
      { replica: '2', node: 'w1', cpuPercent: null, memoryBytes: null, reason: 'node w1 is down' },
    ]);
    expect(lines).toEqual([
      'replicas:',
      '  REPLICA  NODE     CPU %  MEMORY    WHY N/A',
      '  1        manager  1.5%   10.0 MiB',
      '  2        w1       n/a    n/a       node w1 is down',
    ]);
  });

  it('says nothing for a runtime that reads no replicas apart', () => {
    expect(replicaShareLines(null)).toEqual([]);
  });
});
