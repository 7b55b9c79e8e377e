import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { InvalidInput } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWTH_PERCENT, heapGrowthPercent } from '../src/heap-growth.js';

const run = promisify(execFile);

/**
 * ~60 MB live, then bursts of objects that live across a few event-loop turns (so they reach the
 * old generation) — the shape of the server's garbage during 1,000 creates. Prints the largest
 * heap V8 committed.
 */
const burst = (percent: number) => `
  const { limitHeapGrowth } = await import(${JSON.stringify(new URL('../dist/heap-growth.js', import.meta.url).href)});
  limitHeapGrowth(${percent});
  const live = [];
  for (let i = 0; i < 300000; i++) live.push({ a: i, b: 'x' + i, c: [i] });
  const pending = [];
  let max = 0;
  for (let round = 0; round < 300; round++) {
    const batch = [];
    for (let i = 0; i < 20000; i++) batch.push({ i, s: 'y' + i, arr: [i, i] });
    pending.push(batch);
    if (pending.length > 8) pending.shift();
    await new Promise((r) => setImmediate(r));
    max = Math.max(max, process.memoryUsage().heapTotal);
  }
  console.log(max);
`;

async function maxHeap(percent: number): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', burst(percent)]);
  return Number(stdout.trim());
}

describe('heap growth', () => {
  it('reads BERTH_HEAP_GROWTH_PERCENT, 0 for V8’s own policy, and refuses anything else', () => {
    expect(heapGrowthPercent({})).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(heapGrowthPercent({ BERTH_HEAP_GROWTH_PERCENT: '' })).toBe(DEFAULT_HEAP_GROWTH_PERCENT);
    expect(heapGrowthPercent({ BERTH_HEAP_GROWTH_PERCENT: '0' })).toBe(0);
    expect(heapGrowthPercent({ BERTH_HEAP_GROWTH_PERCENT: '60' })).toBe(60);
    for (const bad of ['-1', '2.5', 'lots', '5000'])
      expect(() => heapGrowthPercent({ BERTH_HEAP_GROWTH_PERCENT: bad })).toThrow(InvalidInput);
  });

  it('keeps a bursty heap well below what V8 commits by itself', async () => {
    const [own, limited] = await Promise.all([maxHeap(0), maxHeap(DEFAULT_HEAP_GROWTH_PERCENT)]);
    expect(limited).toBeLessThan(own * 0.75);
  }, 60_000);
});
