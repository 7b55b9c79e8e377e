import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import type Dockerode from 'dockerode';

const require = createRequire(import.meta.url);

/**
 * The modules of dockerode that load what berth seldom uses, at require time: docker-modem's ssh
 * transport (ssh2; berth reaches ssh nodes through its own `SshDialAgent`, over the 'http'
 * protocol) and dockerode's BuildKit session (gRPC and protobuf; only `buildImage` with
 * `version: '2'` calls it). Each exports one function.
 */
function seldomUsed(): string[] {
  const dockerode = require.resolve('dockerode');
  const modem = createRequire(dockerode).resolve('docker-modem');
  return [join(dirname(modem), 'ssh.js'), join(dirname(dockerode), 'session.js')];
}

/**
 * dockerode, without loading ssh2 and gRPC until something calls them: each module above is put
 * in require's cache as a stand-in that loads the real one on its first call. In a bare process
 * ssh2 is ~2 MB of heap, gRPC and protobuf ~2.5 MB; an empty `berth serve` with a Docker engine
 * went from 29.7 to 26.0 MB of heap (issue 20 §2, with SshDialAgent's own ssh2 also read on first
 * use). `lean-dockerode.test.ts` checks both still work. A layout these paths no longer match
 * loads them at once, as before.
 */
export function loadDockerode(): typeof Dockerode {
  for (const path of seldomUsed()) deferModule(path);
  return require('dockerode') as typeof Dockerode;
}

type AnyFunction = (...args: unknown[]) => unknown;

function deferModule(path: string): void {
  if (require.cache[path] || !existsSync(path)) return;
  let real: AnyFunction | undefined;
  const load = (): AnyFunction => {
    if (!real) {
      delete require.cache[path];
      real = require(path) as AnyFunction;
    }
    return real;
  };
  const standIn = new Module(path);
  standIn.filename = path;
  standIn.loaded = true;
  standIn.exports = function deferred(this: unknown, ...args: unknown[]) {
    return load().apply(this, args);
  };
  require.cache[path] = standIn;
}
