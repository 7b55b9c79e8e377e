import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@berth/core';
import { describe, expect, it } from 'vitest';
import {
  dockerHostStrategy,
  findDockerEndpoint,
  parseDockerHost,
  rootlessSocketStrategy,
} from './find-docker-endpoint.js';

function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: (_o, msg) => lines.push(msg ?? ''),
    info: () => {},
    warn: () => {},
    error: () => {},
    child: () => log,
  };
  return log;
}

describe('findDockerEndpoint', () => {
  it('says why each strategy did not apply and returns undefined when none does', async () => {
    const lines: string[] = [];
    const found = await findDockerEndpoint(
      recordingLogger(lines),
      [dockerHostStrategy, rootlessSocketStrategy],
      {
        env: { XDG_RUNTIME_DIR: '/nonexistent-berth' },
        uid: 4242,
      },
    );
    expect(found).toBeUndefined();
    expect(lines).toEqual([
      "Docker endpoint strategy 'DOCKER_HOST' does not apply: DOCKER_HOST is not set",
      "Docker endpoint strategy 'rootless socket' does not apply: /nonexistent-berth/docker.sock does not exist; /run/user/4242/docker.sock does not exist",
    ]);
  });

  it('DOCKER_HOST wins, and a rootless socket is found in XDG_RUNTIME_DIR', async () => {
    const viaEnv = await findDockerEndpoint(recordingLogger([]), undefined, {
      env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' },
      uid: 0,
    });
    expect(viaEnv).toMatchObject({
      strategy: 'DOCKER_HOST',
      endpoint: { kind: 'tcp', host: '10.0.0.5', port: 2375 },
    });

    const dir = mkdtempSync(join(tmpdir(), 'berth-rootless-'));
    const server = createServer().listen(join(dir, 'docker.sock'));
    await new Promise((r) => server.once('listening', r));
    try {
      const found = await findDockerEndpoint(recordingLogger([]), [rootlessSocketStrategy], {
        env: { XDG_RUNTIME_DIR: dir },
        uid: 4242,
      });
      expect(found).toMatchObject({ endpoint: { kind: 'socket', path: join(dir, 'docker.sock') } });
      expect(found?.options).toMatchObject({ socketPath: join(dir, 'docker.sock'), host: undefined });
    } finally {
      server.close();
    }
  });
});

describe('parseDockerHost', () => {
  it('reads ssh and tcp forms', async () => {
    expect(await parseDockerHost('ssh://me@box:2222', {})).toEqual({
      kind: 'ssh',
      host: 'box',
      port: 2222,
      username: 'me',
    });
    expect(await parseDockerHost('box:2375', {})).toEqual({ kind: 'tcp', host: 'box', port: 2375 });
  });

  it('explains what is missing for TLS and what is not supported', async () => {
    expect(await parseDockerHost('tcp://box:2376', { DOCKER_TLS_VERIFY: '1' })).toMatch(
      /DOCKER_CERT_PATH is not set/,
    );
    expect(await parseDockerHost('npipe:////./pipe/docker', {})).toMatch(
      /npipe: which berth does not support/,
    );
  });
});
