import { userInfo } from 'node:os';
import type Dockerode from 'dockerode';
import type { ConnectConfig } from 'ssh2';
import { loadDockerode } from './lean-dockerode.js';
import { SshDialAgent } from './ssh-dial-agent.js';
import { knownHostsFile } from './ssh-host-key.js';
import { SshHostTrust } from './ssh-host-trust.js';

/** Where a Docker engine answers, in berth's words (what a node's config stores). */
export type DockerEndpoint =
  | { kind: 'socket'; path: string }
  | { kind: 'tcp'; host: string; port: number; tls?: DockerTls }
  | {
      kind: 'ssh';
      host: string;
      port?: number;
      /** The local user's name when absent, as `ssh` does. */
      username?: string;
      privateKey?: string;
      password?: string;
      /** An ssh-agent's socket (SSH_AUTH_SOCK), tried when there is no key. */
      agent?: string;
      /** The host key's `SHA256:…` fingerprint the host must present (the node's `hostKey`). */
      hostKey?: string;
      /** The known_hosts file consulted when there is no `hostKey` (BERTH_SSH_KNOWN_HOSTS or ~/.ssh/known_hosts). */
      knownHosts?: string;
    };

/** PEM text of the client certificate, its key and the CA that signed the engine's certificate. */
export interface DockerTls {
  ca: string;
  cert: string;
  key: string;
}

export interface ConnectOptions {
  /** Idle timeout of one request in ms (none by default: log follows stay open). */
  timeoutMs?: number;
  /** ssh: the node's name, for host key messages. */
  node?: string;
  /** ssh: called when a host with no hostKey and no known_hosts entry is trusted on first use. */
  onFirstHostKey?: (fingerprint: string) => void;
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
      // Plain HTTP over our own agent, whose sockets are dial-stdio channels on shared ssh
      // connections (docker-modem's 'ssh' protocol makes one ssh connection per call). `host`
      // stays the ssh host: published ports are reached there.
      return {
        ...common,
        protocol: 'http',
        host: endpoint.host,
        port: endpoint.port ?? 22,
        agent: new SshDialAgent(sshConfig(endpoint), sshHostTrust(endpoint, opts)),
      } as Dockerode.DockerOptions;
  }
}

/** How ssh2 logs in: the key, else the password, else the ssh-agent; keepalives notice a vanished host. */
export function sshConfig(endpoint: Extract<DockerEndpoint, { kind: 'ssh' }>): ConnectConfig {
  return {
    host: endpoint.host,
    port: endpoint.port ?? 22,
    username: endpoint.username ?? userInfo().username,
    ...(endpoint.privateKey ? { privateKey: endpoint.privateKey } : {}),
    ...(endpoint.password ? { password: endpoint.password } : {}),
    ...(endpoint.agent ? { agent: endpoint.agent } : {}),
    readyTimeout: 10_000,
    keepaliveInterval: 1_000,
    keepaliveCountMax: 3,
  };
}

/**
 * The host key check of an ssh endpoint: its `hostKey`, else its known_hosts file (the default one
 * when the endpoint names none), else trust on first use.
 */
export function sshHostTrust(
  endpoint: Extract<DockerEndpoint, { kind: 'ssh' }>,
  opts: ConnectOptions = {},
): SshHostTrust {
  return new SshHostTrust({
    host: endpoint.host,
    port: endpoint.port ?? 22,
    expected: endpoint.hostKey,
    knownHosts: endpoint.knownHosts ?? knownHostsFile({}),
    node: opts.node,
    onFirstUse: opts.onFirstHostKey,
  });
}

/** A client for one engine; the caller owns it (no module-level singleton). */
export function connectDocker(endpoint: DockerEndpoint, opts: ConnectOptions = {}): Dockerode {
  const Client = loadDockerode();
  return new Client(dockerOptions(endpoint, opts));
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
