import Dockerode from 'dockerode';

/** Where a Docker engine answers, in berth's words (what a node's config stores). */
export type DockerEndpoint =
  | { kind: 'socket'; path: string }
  | { kind: 'tcp'; host: string; port: number; tls?: DockerTls }
  | { kind: 'ssh'; host: string; port?: number; username?: string; privateKey?: string; password?: string };

/** PEM text of the client certificate, its key and the CA that signed the engine's certificate. */
export interface DockerTls {
  ca: string;
  cert: string;
  key: string;
}

export interface ConnectOptions {
  /** Idle timeout of one request in ms (none by default: log follows stay open). */
  timeoutMs?: number;
}

/** The dockerode options for an endpoint, everything explicit so DOCKER_* variables never leak in. */
export function dockerOptions(endpoint: DockerEndpoint, opts: ConnectOptions = {}): Dockerode.DockerOptions {
  const common = {
    host: undefined,
    port: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    pathPrefix: '/',
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
  } as Dockerode.DockerOptions;
  switch (endpoint.kind) {
    case 'socket':
      return { ...common, socketPath: endpoint.path, protocol: 'http' };
    case 'tcp':
      return {
        ...common,
        host: endpoint.host,
        port: endpoint.port,
        protocol: endpoint.tls ? 'https' : 'http',
        ...(endpoint.tls ? { ca: endpoint.tls.ca, cert: endpoint.tls.cert, key: endpoint.tls.key } : {}),
      };
    case 'ssh':
      return {
        ...common,
        protocol: 'ssh',
        host: endpoint.host,
        port: endpoint.port ?? 22,
        ...(endpoint.username ? { username: endpoint.username } : {}),
        ...(endpoint.password ? { password: endpoint.password } : {}),
        sshOptions: endpoint.privateKey ? { privateKey: endpoint.privateKey } : {},
      };
  }
}

/** A client for one engine; the caller owns it (no module-level singleton). */
export function connectDocker(endpoint: DockerEndpoint, opts: ConnectOptions = {}): Dockerode {
  return new Dockerode(dockerOptions(endpoint, opts));
}

/** `tcp://100.64.7.2:2375`, `unix:///var/run/docker.sock`, `ssh://me@host:22` — for logs and UIs. */
export function describeEndpoint(endpoint: DockerEndpoint): string {
  switch (endpoint.kind) {
    case 'socket':
      return `unix://${endpoint.path}`;
    case 'tcp':
      return `${endpoint.tls ? 'tcp+tls' : 'tcp'}://${endpoint.host}:${endpoint.port}`;
    case 'ssh':
      return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host}:${endpoint.port ?? 22}`;
  }
}
