import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalListenerSource } from './local-listener-source.js';
import { ProcNetSocketTable } from './proc-net-sockets.js';
import { findSocketOwners } from './socket-owners.js';

/** A real listener in another process: node listening on a free port, which it prints. */
async function spawnListener(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`listener exited with ${code}`)));
  });
  return { child, port };
}

describe('owners of sockets', () => {
  let listener: { child: ChildProcess; port: number };

  beforeAll(async () => {
    listener = await spawnListener();
  });
  afterAll(() => {
    listener.child.kill('SIGKILL');
  });

  it('finds the process that holds a listening socket by its inode', async () => {
    const sockets = await new ProcNetSocketTable().read();
    const socket = sockets.find((s) => s.protocol === 'tcp' && s.port === listener.port && s.inode > 0);
    expect(socket).toBeDefined();
    const owners = await findSocketOwners([socket!.inode, 999_999_999]);
    expect(owners.get(socket!.inode)).toEqual({ pid: listener.child.pid, process: 'node' });
    expect(owners.has(999_999_999)).toBe(false);
    expect((await findSocketOwners([])).size).toBe(0);
  });

  it('lists the port without its owner, and names the owner when the ledger asks', async () => {
    const source = new LocalListenerSource();
    const taken = await source.taken('local');
    const mine = taken.find((t) => t.protocol === 'tcp' && t.port === listener.port)!;
    expect(mine).toMatchObject({
      kind: 'process',
      usedBy: `a process on port ${listener.port} (owner not visible)`,
    });
    expect(mine.pid).toBeUndefined();
    const [named] = await source.owners('local', [mine]);
    expect(named).toMatchObject({
      port: listener.port,
      protocol: 'tcp',
      kind: 'process',
      pid: listener.child.pid,
      usedBy: `process node (pid ${listener.child.pid})`,
    });
    expect(await source.owners('host-b', [mine])).toEqual([mine]);
  });
});
