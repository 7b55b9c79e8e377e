import { describe, expect, it } from 'vitest';
import { KeyedChain } from './keyed-chain.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedChain', () => {
  it('runs one key in order, after a failure too, and other keys alongside', async () => {
    const chain = new KeyedChain();
    const seen: string[] = [];
    const step =
      (name: string, fail = false) =>
      async () => {
        seen.push(`${name} start`);
        await tick();
        seen.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const a1 = chain.run('a', step('a1', true));
    const a2 = chain.run('a', step('a2'));
    const b1 = chain.run('b', step('b1'));
    expect(chain.busy('a')).toBe(true);
    await expect(a1).rejects.toThrow('a1');
    expect(await a2).toBe('a2');
    expect(await b1).toBe('b1');
    expect(seen.indexOf('a1 end')).toBeLessThan(seen.indexOf('a2 start'));
    expect(seen.indexOf('b1 start')).toBeLessThan(seen.indexOf('a1 end'));
    await chain.drain();
    expect(chain.busy('a')).toBe(false);
    expect(chain.busy('b')).toBe(false);
  });
});
