import type { ObservedWorkload } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { AdoptedWatch, FULL_LOOK_ROUNDS, type Identity, pidExists } from './adopted-watch.js';

const ids = (n: number): Identity[] =>
  Array.from({ length: n }, (_, i) => ({ pid: 1000 + i, startTicks: 7, pgid: 1000 + i }));
const workload = (id: Identity) => ({ pid: id.pid, running: true }) as ObservedWorkload;

function world(n: number) {
  const gone = new Set<number>();
  const recycled = new Set<number>();
  const looked: number[] = [];
  const watch = new AdoptedWatch((pid) => !gone.has(pid));
  const look = (id: Identity) => {
    looked.push(id.pid);
    return gone.has(id.pid) || recycled.has(id.pid) ? undefined : workload(id);
  };
  const list = async () => (await watch.list(ids(n), look)).map((w) => w.pid);
  return { gone, recycled, looked, list };
}

describe('AdoptedWatch: processes berth did not spawn', () => {
  it('looks at each in full first, then at a slice per list, each once in FULL_LOOK_ROUNDS lists', async () => {
    const w = world(1_000);
    expect(await w.list()).toHaveLength(1_000);
    expect(w.looked).toHaveLength(1_000);
    w.looked.length = 0;
    for (let r = 0; r < FULL_LOOK_ROUNDS; r++) expect(await w.list()).toHaveLength(1_000);
    expect(w.looked).toHaveLength(1_000);
    expect(new Set(w.looked).size).toBe(1_000);
  });

  it('a process gone is left out at the next list, without a full look', async () => {
    const w = world(1_000);
    await w.list();
    w.looked.length = 0;
    w.gone.add(1_999);
    expect(await w.list()).not.toContain(1_999);
    expect(w.looked).not.toContain(1_999);
  });

  it('a pid another process took is found at its full look, within FULL_LOOK_ROUNDS lists', async () => {
    const w = world(1_000);
    await w.list();
    w.recycled.add(1_500);
    let lists = 0;
    while ((await w.list()).includes(1_500)) lists++;
    expect(lists).toBeLessThan(FULL_LOOK_ROUNDS);
  });

  it('fewer than 50 are all looked at in full on every list', async () => {
    const w = world(20);
    await w.list();
    await w.list();
    expect(w.looked).toHaveLength(40);
  });

  it('tells a live pid (this process) from one that does not exist', () => {
    expect(pidExists(process.pid)).toBe(true);
    expect(pidExists(2 ** 22 + 1)).toBe(false);
  });
});
