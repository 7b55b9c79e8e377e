import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootTimeMs, clockTicks, processStartTime } from './boot-time.js';
import { parseProcStat, readProcStat, readProcStatSync, readProcTextSync } from './proc-stat.js';
import { childPidsSync, descendantsOf, processTree } from './process-table.js';

describe('/proc/<pid>/stat', () => {
  it('parses a name with spaces and parentheses', () => {
    const line =
      '812 (my (odd) app) S 1 812 812 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000000 250 18446744073709551615';
    expect(parseProcStat(line)).toMatchObject({
      pid: 812,
      comm: 'my (odd) app',
      state: 'S',
      ppid: 1,
      pgid: 812,
      sid: 812,
      utimeTicks: 7,
      stimeTicks: 3,
      startTicks: 123456,
      rssPages: 250,
      numThreads: 1,
    });
  });

  it('reads this process', async () => {
    const me = await readProcStat(process.pid);
    expect(me?.pid).toBe(process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(me?.rssPages).toBeGreaterThan(0);
    expect(await readProcStat(0)).toBeUndefined();
    expect(await readProcStat(2 ** 30)).toBeUndefined();
  });

  it('reads /proc files of any length through its reused buffer, the same as readFileSync', () => {
    expect(readProcStatSync(process.pid)?.pid).toBe(process.pid);
    expect(readProcStatSync(2 ** 30)).toBeUndefined();
    // Environments of 40 KB and of 1.2 MB: longer than the first buffer, then than the kept one.
    for (const vars of [1, 30]) {
      const env = Object.fromEntries(Array.from({ length: vars }, (_, i) => [`BIG${i}`, 'y'.repeat(40_000)]));
      const child = spawn('sleep', ['30'], { env, stdio: 'ignore' });
      try {
        const text = readProcTextSync(`/proc/${child.pid}/environ`, 'utf8');
        expect(text).toBe(readFileSync(`/proc/${child.pid}/environ`, 'utf8'));
        expect(text.length).toBeGreaterThan(vars * 40_000);
      } finally {
        child.kill('SIGKILL');
      }
    }
    expect(readProcTextSync('/proc/self/status', 'latin1')).toMatch(/^Name:/);
    expect(() => readProcTextSync('/proc/0/stat', 'latin1')).toThrow(/ENOENT/);
  });

  it('turns start ticks into a wall-clock start time', async () => {
    expect(clockTicks()).toBe(100);
    expect(bootTimeMs()).toBeLessThan(Date.now());
    const started = await processStartTime(process.pid);
    const uptime = process.uptime() * 1000;
    expect(Math.abs(Date.now() - uptime - started!)).toBeLessThan(2_000);
  });

  it('finds descendants in one table', async () => {
    const table = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 11 },
      { pid: 20, ppid: 1 },
    ].map((p) => ({
      ...p,
      comm: 'x',
      state: 'S',
      pgid: 1,
      sid: 1,
      utimeTicks: 0,
      stimeTicks: 0,
      startTicks: 0,
      rssPages: 0,
    }));
    expect(descendantsOf(10, table).map((s) => s.pid)).toEqual([10, 11, 12]);
    expect(descendantsOf(99, table)).toEqual([]);
    expect((await processTree(process.pid))[0]?.pid).toBe(process.pid);
  });
});

describe('childPidsSync', () => {
  it('finds a child of the main thread, with the task folder listed or (one thread) not', async () => {
    const child = spawn('sleep', ['5'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    try {
      expect(childPidsSync(process.pid)).toContain(child.pid);
      expect(childPidsSync(process.pid, 1)).toContain(child.pid);
      expect(childPidsSync(2 ** 22 + 1, 1)).toBeUndefined();
    } finally {
      child.kill();
    }
  });
});
