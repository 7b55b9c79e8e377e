import { describe, expect, it } from 'vitest';
import { partialReason, type ReplicaStats } from './replica-stats.js';

const read = (replica: string, node: string): ReplicaStats => ({
  replica,
  node,
  cpuPercent: 1,
  memoryBytes: 2048,
  reason: null,
});

describe('a sum over replicas says when it is partial', () => {
  it('is whole when every replica was read, or when the runtime reads no replicas apart', () => {
    expect(partialReason([read('1', 'a'), read('2', 'b')])).toBeNull();
    expect(partialReason(undefined)).toBeNull();
  });

  it('names each replica that is n/a, its node and why', () => {
    const na: ReplicaStats = {
      ...read('3', 'w1'),
      cpuPercent: null,
      memoryBytes: null,
      reason: 'node w1 is down',
    };
    expect(partialReason([read('1', 'a'), read('2', 'b'), na])).toBe(
      'the sum of 2 of 3 replicas; n/a: replica 3 on w1: node w1 is down',
    );
  });
});
