import { readFile } from 'node:fs/promises';
import { InvalidInput } from '@berth/core';
import type { DockerEndpoint } from './connect-docker.js';
import type { SshSettings } from './docker-settings.js';
import { parsePublicAddress } from './node-address.js';
import { knownHostsFile, normalizeFingerprint } from './ssh-host-key.js';

/**
 * How a remote `docker` node is reached, as stored in its record: an endpoint URL, plus the TLS
 * certificate files for `tcp` with TLS or the private key file for `ssh`. Paths, never key text:
 * secrets stay in files the operator controls.
 */
export interface DockerNodeConfig {
  /** `tcp://10.0.0.5:2375`, `tcp://host:2376` (with tls), `ssh://user@host[:22]`. */
  endpoint: string;
  tls?: { ca: string; cert: string; key: string };
  /** Folder holding ca.pem, cert.pem and key.pem (the DOCKER_CERT_PATH layout); an alternative to `tls`. */
  certPath?: string;
  sshKey?: string;
  /**
   * The `SHA256:…` fingerprint (as `ssh-keygen -lf` prints it) the ssh host must present; given
   * when the node is added, or recorded by berth on first use when known_hosts does not list the host.
   */
  hostKey?: string;
  /** Where clients reach the node's published ports (links, proxy); default: the endpoint's host. */
  publicAddress?: string;
}

function invalid(field: string, message: string): never {
  throw new InvalidInput(`${field} ${message}`, { details: { field } });
}

function optionalString(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') invalid(field, 'must be a string');
  return v;
}

/** Validates a node's config at the edge; says which field is wrong and why. */
export function parseDockerNodeConfig(input: unknown): DockerNodeConfig {
  if (typeof input !== 'object' || input === null) invalid('config', 'must be an object');
  const o = input as Record<string, unknown>;
  const endpoint = optionalString(o, 'endpoint');
  if (!endpoint) invalid('endpoint', 'is required (tcp://host:port or ssh://user@host)');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    invalid('endpoint', `'${endpoint}' is not a URL (tcp://host:port or ssh://user@host)`);
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'ssh:') {
    invalid('endpoint', `must start with tcp:// or ssh://, got '${url.protocol}//'`);
  }
  if (!url.hostname) invalid('endpoint', 'names no host');
  const config: DockerNodeConfig = { endpoint };
  const tls = o.tls;
  if (tls !== undefined && tls !== null) {
    if (typeof tls !== 'object') invalid('tls', 'must be an object with ca, cert and key file paths');
    const t = tls as Record<string, unknown>;
    const [ca, cert, key] = ['ca', 'cert', 'key'].map((f) => optionalString(t, f));
    if (!ca || !cert || !key) invalid('tls', 'needs ca, cert and key file paths');
    config.tls = { ca, cert, key };
  }
  const certPath = optionalString(o, 'certPath');
  if (certPath) config.certPath = certPath;
  const sshKey = optionalString(o, 'sshKey');
  if (sshKey) config.sshKey = sshKey;
  if ((config.tls || certPath) && url.protocol !== 'tcp:') invalid('tls', 'applies to tcp:// endpoints only');
  const hostKey = optionalString(o, 'hostKey');
  if (hostKey) {
    if (url.protocol !== 'ssh:') invalid('hostKey', 'applies to ssh:// endpoints only');
    config.hostKey = parseHostKey(hostKey);
  }
  if (o.publicAddress !== undefined && o.publicAddress !== null)
    config.publicAddress = parsePublicAddress(o.publicAddress);
  return config;
}

/** A host key fingerprint as ssh prints it, or InvalidInput naming the field. */
export function parseHostKey(text: string): string {
  const fingerprint = normalizeFingerprint(text);
  if (!fingerprint) {
    invalid('hostKey', `'${text}' is not a SHA256:… fingerprint as ssh-keygen -lf prints it`);
  }
  return fingerprint;
}

/** The files of `tls` or `certPath`, in one shape. */
export function tlsFiles(c: DockerNodeConfig): { ca: string; cert: string; key: string } | undefined {
  if (c.tls) return c.tls;
  if (c.certPath)
    return { ca: `${c.certPath}/ca.pem`, cert: `${c.certPath}/cert.pem`, key: `${c.certPath}/key.pem` };
  return undefined;
}

async function readSecretFile(path: string, field: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidInput(`${field} file ${path} cannot be read: ${(err as Error).message}`, {
      cause: err,
      details: { field },
    });
  }
}

/**
 * The endpoint to connect to, with the certificate or key files read. An ssh node without
 * `sshKey` logs in through the ssh-agent `ssh.agentSocket` when there is one; its host key is
 * checked against `hostKey`, else the known_hosts file `ssh.knownHosts` (default ~/.ssh/known_hosts).
 */
export async function dockerNodeEndpoint(
  c: DockerNodeConfig,
  ssh: SshSettings = {},
): Promise<DockerEndpoint> {
  const url = new URL(c.endpoint);
  if (url.protocol === 'ssh:') {
    const agent = ssh.agentSocket;
    return {
      kind: 'ssh',
      host: url.hostname,
      port: url.port ? Number(url.port) : 22,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(c.sshKey ? { privateKey: await readSecretFile(c.sshKey, 'sshKey') } : agent ? { agent } : {}),
      ...(c.hostKey ? { hostKey: c.hostKey } : {}),
      knownHosts: ssh.knownHosts ?? knownHostsFile({}),
    };
  }
  const files = tlsFiles(c);
  const port = url.port ? Number(url.port) : files ? 2376 : 2375;
  if (!files) return { kind: 'tcp', host: url.hostname, port };
  // One after the other, so a missing file is always named in the same order (ca, cert, key).
  const ca = await readSecretFile(files.ca, 'tls.ca');
  const cert = await readSecretFile(files.cert, 'tls.cert');
  const key = await readSecretFile(files.key, 'tls.key');
  return { kind: 'tcp', host: url.hostname, port, tls: { ca, cert, key } };
}

/** `DOCKER_HOST` for a CLI talking to the same engine. */
export function dockerHostOf(endpoint: DockerEndpoint): string {
  switch (endpoint.kind) {
    case 'socket':
      return `unix://${endpoint.path}`;
    case 'tcp':
      return `tcp://${endpoint.host}:${endpoint.port}`;
    case 'ssh':
      return `ssh://${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host}:${endpoint.port ?? 22}`;
  }
}
