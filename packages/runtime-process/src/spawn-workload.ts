import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { type DeploySpec, InvalidInput } from '@berth/core';
import { logFilePath, PRIVATE_DIR, PRIVATE_FILE, withStartUmask } from '@berth/host';
import { markerEnv } from './markers.js';

/** Variables a process needs to behave normally, taken from berth's own env when the spec lacks them. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL'];

export function workloadEnv(spec: DeploySpec, logFrom?: Record<string, number>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...spec.env, ...markerEnv(spec, logFrom) };
}

/** Both log files of a workload, empty when new (appended to, never truncated): what the spawn opens. */
export function createLogFiles(logDir: string): void {
  for (const stream of ['stdout', 'stderr'] as const)
    closeSync(openSync(logFilePath(logDir, stream), 'a', PRIVATE_FILE));
}

function checkSpec(spec: DeploySpec): void {
  if (spec.command.length === 0 || !spec.command[0]) {
    throw new InvalidInput(`instance ${spec.instanceName} has no command to run`, { code: 'NO_COMMAND' });
  }
  const cwd = statSync(spec.cwd, { throwIfNoEntry: false });
  if (!cwd?.isDirectory()) {
    throw new InvalidInput(`working directory '${spec.cwd}' does not exist`, { code: 'BAD_CWD' });
  }
}

function spawnError(command: string, err: NodeJS.ErrnoException): InvalidInput {
  if (err.code === 'ENOENT') {
    return new InvalidInput(`command '${command}' was not found`, { code: 'COMMAND_NOT_FOUND', cause: err });
  }
  if (err.code === 'EACCES') {
    return new InvalidInput(`command '${command}' is not executable (permission denied)`, {
      code: 'COMMAND_NOT_EXECUTABLE',
      cause: err,
    });
  }
  return new InvalidInput(`command '${command}' could not be started: ${err.code ?? err.message}`, {
    code: 'SPAWN_FAILED',
    cause: err,
  });
}

/** Resolves once the process runs; rejects with a user-facing error when it cannot start. */
function started(child: ChildProcess, command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (err) => reject(spawnError(command, err)));
  });
}

/**
 * Starts the spec's command in its own session (so a signal to its group reaches its children
 * and it outlives berth), with stdout/stderr appended to the instance's log files — files, not
 * pipes, so nothing breaks when berth goes away. Never through a shell. `logFrom` (the files' sizes
 * before the start) goes into its markers, for a readiness wait after adoption.
 */
export async function spawnWorkload(
  spec: DeploySpec,
  logFrom?: Record<string, number>,
): Promise<ChildProcess> {
  checkSpec(spec);
  mkdirSync(spec.logDir, { recursive: true, mode: PRIVATE_DIR });
  const out = openSync(logFilePath(spec.logDir, 'stdout'), 'a', PRIVATE_FILE);
  const err = openSync(logFilePath(spec.logDir, 'stderr'), 'a', PRIVATE_FILE);
  try {
    const [command, ...args] = spec.command as [string, ...string[]];
    // The workload gets the umask berth was started with, not berth's own 077.
    const child = withStartUmask(() =>
      spawn(command, args, {
        cwd: spec.cwd,
        env: workloadEnv(spec, logFrom),
        detached: true,
        stdio: ['ignore', out, err],
        shell: false,
      }),
    );
    await started(child, command);
    child.unref();
    return child;
  } finally {
    closeSync(out);
    closeSync(err);
  }
}
