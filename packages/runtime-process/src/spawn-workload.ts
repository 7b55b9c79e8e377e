import { closeSync, fstatSync, mkdirSync, openSync, statSync } from 'node:fs';
import { type DeploySpec, InvalidInput, Unprocessable } from '@berth/core';
import { type LogStream, logFilePath, PRIVATE_DIR, PRIVATE_FILE } from '@berth/host';
import { markerEnv } from './markers.js';
import type { Spawned, Spawner, SpawnFailed } from './spawner.js';

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

/**
 * Makes the workload's log folder and both its log files (appended to, never truncated) and
 * returns their sizes: where this run's lines begin. Synchronous: a few metadata calls of
 * microseconds each, where the thread pool's round trips took milliseconds during a burst of starts.
 */
export function prepareLogFiles(logDir: string): Record<LogStream, number> {
  mkdirSync(logDir, { recursive: true, mode: PRIVATE_DIR });
  const size = (stream: LogStream) => {
    const fd = openSync(logFilePath(logDir, stream), 'a', PRIVATE_FILE);
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  };
  return { stdout: size('stdout'), stderr: size('stderr') };
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

function spawnError(command: string, err: SpawnFailed): Error {
  if (err.file) {
    return new Unprocessable(`log file ${err.file} could not be opened: ${err.code ?? err.message}`, {
      code: 'SPAWN_FAILED',
      cause: err,
    });
  }
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

/**
 * Starts the spec's command in its own session (so a signal to its group reaches its children
 * and it outlives berth), with stdout/stderr appended to the instance's log files — files, not
 * pipes, so nothing breaks when berth goes away. Never through a shell. `logFrom` (the files' sizes
 * before the start) goes into its markers, for a readiness wait after adoption.
 */
export async function spawnWorkload(
  spawner: Spawner,
  spec: DeploySpec,
  logFrom?: Record<string, number>,
): Promise<Spawned> {
  checkSpec(spec);
  mkdirSync(spec.logDir, { recursive: true, mode: PRIVATE_DIR });
  const [command, ...args] = spec.command as [string, ...string[]];
  try {
    return await spawner.spawn({
      command,
      args,
      cwd: spec.cwd,
      env: workloadEnv(spec, logFrom),
      stdout: logFilePath(spec.logDir, 'stdout'),
      stderr: logFilePath(spec.logDir, 'stderr'),
    });
  } catch (err) {
    throw spawnError(command, err as SpawnFailed);
  }
}
