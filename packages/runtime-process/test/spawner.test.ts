import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcStat } from '@berth/host';
import { afterAll, describe, expect, it } from 'vitest';
import { Spawner, SpawnFailed, type SpawnRequest } from '../src/spawner.js';

const root = mkdtempSync(join(tmpdir(), 'berth-spawner-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const req = (name: string, command: string, args: string[]): SpawnRequest => ({
  command,
  args,
  cwd: root,
  env: { PATH: process.env.PATH ?? '' },
  stdout: join(root, `${name}.out`),
  stderr: join(root, `${name}.err`),
});

const parentOf = async (pid: number) => (await readProcStat(pid))?.ppid;

describe('Spawner', () => {
  it('starts a program through its helper, in a session of its own, output in the files, and reports its exit', async () => {
    const spawner = new Spawner();
    const child = await spawner.spawn(
      req('a', '/bin/sh', ['-c', 'echo out; echo err >&2; sleep 0.2; exit 3']),
    );
    const stat = await readProcStat(child.pid);
    expect(stat?.sid).toBe(child.pid);
    expect(stat?.ppid).not.toBe(process.pid);
    expect(await child.exited).toEqual({ code: 3, signal: null });
    expect(readFileSync(join(root, 'a.out'), 'utf8')).toBe('out\n');
    expect(readFileSync(join(root, 'a.err'), 'utf8')).toBe('err\n');
  });

  it('reports a signal as 128 + its number, as shells do', async () => {
    const spawner = new Spawner();
    const child = await spawner.spawn(req('b', '/bin/sh', ['-c', 'kill -TERM $$']));
    expect(await child.exited).toEqual({ code: 143, signal: 'SIGTERM' });
  });

  it("rejects with the system's code when the program cannot start", async () => {
    const spawner = new Spawner();
    const err = await spawner.spawn(req('c', '/nonexistent/program', [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpawnFailed);
    expect((err as SpawnFailed).code).toBe('ENOENT');
    const file = join(root, 'no', 'dir', 'x');
    const bad = await spawner.spawn({ ...req('d', '/bin/true', []), stdout: file }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'ENOENT', file });
  });

  it('when its helper dies: running programs go on, their exits resolve unknown, and the next spawn starts a new helper', async () => {
    const spawner = new Spawner();
    const long = await spawner.spawn(req('e', '/bin/sleep', ['30']));
    const helper = (await parentOf(long.pid))!;
    process.kill(helper, 'SIGKILL');
    expect(await long.exited).toBeUndefined();
    expect((await readProcStat(long.pid))?.state).not.toBe('Z');
    const next = await spawner.spawn(req('f', '/bin/sh', ['-c', 'exit 0']));
    expect(await parentOf(next.pid).catch(() => undefined)).not.toBe(helper);
    expect(await next.exited).toEqual({ code: 0, signal: null });
    process.kill(long.pid, 'SIGKILL');
  });
});
