import { RuntimeUnavailable } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { EngineReads } from './engine-deadline.js';

const refused = () =>
  Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:2375'), { code: 'ECONNREFUSED' }));

describe('EngineReads', () => {
  it('once the engine was unreachable, fails at once for the hold, then asks again', async () => {
    let now = 0;
    const reads = new EngineReads('far', 50, 2_000, () => now);
    let calls = 0;
    const call = () => {
      calls++;
      return refused();
    };
    await expect(reads.read('listing', call)).rejects.toThrow(
      /node far cannot be reached: connect ECONNREFUSED/,
    );
    now = 1_999;
    const held = await reads.read('inspection', call).catch((e: unknown) => e);
    expect(held).toBeInstanceOf(RuntimeUnavailable);
    expect(calls).toBe(1);
    now = 2_000;
    expect(await reads.read('inspection', async () => 'answered')).toBe('answered');
    expect(await reads.read('inspection', async () => 'again')).toBe('again');
  });

  it('a read that never answers becomes unreachable after the deadline', async () => {
    const reads = new EngineReads('far', 30);
    const silent = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    await expect(reads.read('inspection of a container', silent)).rejects.toThrow(
      'The Docker engine of node far did not answer the inspection of a container within 30 ms',
    );
  });
});
