// The spawn helper: a small process that starts berth's workloads for the server (see spawner.ts).
// A spawn forks the calling process and waits until the child has exec'd its program; on a busy
// host that wait is tens of milliseconds, and it holds the caller's event loop. Here it holds
// this process's loop, not the server's. It runs under the umask berth was started with, which
// its workloads inherit, and ends when the server's IPC channel closes (its workloads, each in a
// session of its own, go on running).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { HelperReply, HelperRequest } from './spawner.js';

const FILE_MODE = 0o600;

function send(reply: HelperReply): void {
  process.send?.(reply);
}

function start(req: HelperRequest): void {
  const fds: number[] = [];
  let file: string | undefined;
  try {
    const open = (path: string) => {
      file = path;
      const fd = openSync(path, 'a', FILE_MODE);
      fds.push(fd);
      return fd;
    };
    const out = open(req.stdout);
    const err = open(req.stderr);
    file = undefined;
    const child = spawn(req.command, req.args, {
      cwd: req.cwd,
      env: req.env,
      detached: true,
      stdio: ['ignore', out, err],
      shell: false,
    });
    child.once('spawn', () => send({ id: req.id, pid: child.pid! }));
    child.once('error', (e: NodeJS.ErrnoException) =>
      send({ id: req.id, error: { code: e.code, message: e.message } }),
    );
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) send({ exited: child.pid, code, signal });
    });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    send({ id: req.id, error: { code: error.code, message: error.message, ...(file ? { file } : {}) } });
  } finally {
    // The child holds its own copies once spawn() has returned.
    for (const fd of fds) closeSync(fd);
  }
}

process.on('message', (req: HelperRequest) => start(req));
process.on('disconnect', () => process.exit(0));
