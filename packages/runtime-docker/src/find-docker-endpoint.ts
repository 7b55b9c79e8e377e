import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@berth/core';
import type Dockerode from 'dockerode';
import { type DockerEndpoint, describeEndpoint, dockerOptions } from './connect-docker.js';

export interface FoundDockerEndpoint {
  /** The strategy that applied: `DOCKER_HOST`, `system socket`, `rootless socket`. */
  strategy: string;
  endpoint: DockerEndpoint;
  options: Dockerode.DockerOptions;
}

export interface EndpointContext {
  env: NodeJS.ProcessEnv;
  uid: number | undefined;
}

/** One way to find an engine: an endpoint, or the reason it does not apply. */
export interface EndpointStrategy {
  name: string;
  find(ctx: EndpointContext): Promise<DockerEndpoint | string>;
}

export const dockerHostStrategy: EndpointStrategy = {
  name: 'DOCKER_HOST',
  async find({ env }) {
    const value = env.DOCKER_HOST;
    if (!value) return 'DOCKER_HOST is not set';
    return parseDockerHost(value, env);
  },
};

export const systemSocketStrategy: EndpointStrategy = {
  name: 'system socket',
  find: () => socketAt('/var/run/docker.sock'),
};

export const rootlessSocketStrategy: EndpointStrategy = {
  name: 'rootless socket',
  async find({ env, uid }) {
    const candidates = [
      env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'docker.sock') : undefined,
      uid !== undefined ? `/run/user/${uid}/docker.sock` : undefined,
    ].filter((p): p is string => p !== undefined);
    if (candidates.length === 0) return 'neither XDG_RUNTIME_DIR nor a user id is known';
    const reasons: string[] = [];
    for (const path of [...new Set(candidates)]) {
      const found = await socketAt(path);
      if (typeof found !== 'string') return found;
      reasons.push(found);
    }
    return reasons.join('; ');
  },
};

export const defaultStrategies = [dockerHostStrategy, systemSocketStrategy, rootlessSocketStrategy];

/**
 * The local Docker engine's endpoint, found by trying each strategy in order; every strategy that
 * does not apply says why in a debug line. Undefined when none applies. Does not connect. `ctx`
 * holds the settings (DockerSettings.endpoint); without them only the sockets are tried.
 */
export async function findDockerEndpoint(
  log: Logger,
  strategies: EndpointStrategy[] = defaultStrategies,
  ctx: EndpointContext = { env: {}, uid: process.getuid?.() },
): Promise<FoundDockerEndpoint | undefined> {
  for (const strategy of strategies) {
    const result = await strategy.find(ctx);
    if (typeof result === 'string') {
      log.debug(
        { strategy: strategy.name },
        `Docker endpoint strategy '${strategy.name}' does not apply: ${result}`,
      );
      continue;
    }
    log.debug(
      { strategy: strategy.name, endpoint: describeEndpoint(result) },
      `Docker endpoint found by '${strategy.name}': ${describeEndpoint(result)}`,
    );
    return { strategy: strategy.name, endpoint: result, options: dockerOptions(result) };
  }
  return undefined;
}

async function socketAt(path: string): Promise<DockerEndpoint | string> {
  try {
    const s = await stat(path);
    return s.isSocket() ? { kind: 'socket', path } : `${path} is not a socket`;
  } catch {
    return `${path} does not exist`;
  }
}

/** `unix:///path`, `tcp://host:port` (TLS from DOCKER_TLS_VERIFY + DOCKER_CERT_PATH), `ssh://user@host:port`. */
export async function parseDockerHost(
  value: string,
  env: NodeJS.ProcessEnv,
): Promise<DockerEndpoint | string> {
  if (value.startsWith('unix://')) return socketAt(value.slice('unix://'.length) || '/var/run/docker.sock');
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `tcp://${value}`);
  } catch {
    return `DOCKER_HOST '${value}' is not a URL`;
  }
  if (url.protocol === 'ssh:') {
    return {
      kind: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `DOCKER_HOST '${value}' uses ${url.protocol} which berth does not support`;
  }
  const tls = env.DOCKER_TLS_VERIFY === '1' || url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  if (!tls) return { kind: 'tcp', host: url.hostname, port };
  if (!env.DOCKER_CERT_PATH) return `DOCKER_HOST asks for TLS but DOCKER_CERT_PATH is not set`;
  try {
    const read = (f: string) => readFile(join(env.DOCKER_CERT_PATH!, f), 'utf8');
    const [ca, cert, key] = await Promise.all([read('ca.pem'), read('cert.pem'), read('key.pem')]);
    return { kind: 'tcp', host: url.hostname, port, tls: { ca, cert, key } };
  } catch (err) {
    return `DOCKER_CERT_PATH ${env.DOCKER_CERT_PATH} lacks ca.pem, cert.pem or key.pem: ${(err as Error).message}`;
  }
}
