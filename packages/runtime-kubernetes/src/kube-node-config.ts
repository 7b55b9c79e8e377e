import { readFileSync, statSync } from 'node:fs';
import { InvalidInput } from '@berth/core';
import { KubeConfig } from '@kubernetes/client-node';

/** How a `kubernetes` node is reached, as stored in its record: a kubeconfig file (a path, never its text). */
export interface KubeNodeConfig {
  kubeconfig: string;
  /** The kubeconfig context; default: its current-context. */
  context?: string;
  /** Where instances go; default: the context's namespace, else `default`. */
  namespace?: string;
  /** The API server's --service-node-port-range; default 30000–32767. */
  nodePortRange: { from: number; to: number };
  /** Where clients reach NodePorts; default: the API server's host. */
  publicAddress?: string;
  /**
   * NodePort (default): each port published on every node, a port of the cluster's NodePort range
   * in the ledger. ClusterIP: inside the cluster only, reached by berth's proxy through the API
   * server's service proxy; no NodePort is taken.
   */
  serviceType: 'NodePort' | 'ClusterIP';
  /** The storage class of instances' PersistentVolumeClaims when their template names none. */
  storageClass?: string;
}

const MAX_KUBECONFIG_BYTES = 1024 * 1024;

export const DEFAULT_NODE_PORT_RANGE = { from: 30000, to: 32767 };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function parseServiceType(v: unknown): 'NodePort' | 'ClusterIP' {
  if (v === undefined || v === null || v === '') return 'NodePort';
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  if (s === 'nodeport') return 'NodePort';
  if (s === 'clusterip') return 'ClusterIP';
  invalid('serviceType', `must be NodePort or ClusterIP, got '${String(v)}'`);
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

/** Reads and parses the kubeconfig file; throws InvalidInput naming `kubeconfig` when it cannot. */
export function loadKubeconfig(path: string, context?: string): KubeConfig {
  let text: string;
  try {
    // A FIFO or a device would block the server's one thread on read (or fill its memory).
    const st = statSync(path);
    if (!st.isFile()) invalid('kubeconfig', `must be a regular file (${path})`);
    if (st.size > MAX_KUBECONFIG_BYTES)
      invalid('kubeconfig', `is larger than 1 MiB; not a kubeconfig (${path})`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InvalidInput) throw e;
    invalid(
      'kubeconfig',
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (${path})`,
    );
  }
  const config = new KubeConfig();
  try {
    config.loadFromString(text);
  } catch {
    // The parser's words can quote the file: a node's message is shown to read tokens.
    invalid('kubeconfig', `is not a kubeconfig: not valid YAML of the kubeconfig shape (${path})`);
  }
  if (context) {
    const names = config.getContexts().map((c) => c.name);
    if (!names.includes(context))
      invalid('context', `'${context}' is not in the kubeconfig (it has: ${names.join(', ') || 'none'})`);
    config.setCurrentContext(context);
  }
  if (!config.getCurrentCluster()) invalid(context ? 'context' : 'kubeconfig', 'names no cluster to reach');
  return config;
}

function parseRange(v: unknown): { from: number; to: number } {
  if (v === undefined || v === null || v === '') return DEFAULT_NODE_PORT_RANGE;
  const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v.trim()) : null;
  const r = m ? { from: Number(m[1]), to: Number(m[2]) } : (v as { from?: unknown; to?: unknown });
  const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
  if (typeof r !== 'object' || !ok(r.from) || !ok(r.to) || r.from > r.to) {
    invalid(
      'nodePortRange',
      "must be 'FROM-TO' (e.g. '30000-32767') or { from, to } with 1 ≤ from ≤ to ≤ 65535",
    );
  }
  return { from: r.from, to: r.to };
}

/** Validates a kubernetes node's config at the edge; says which field is wrong and why. */
export function parseKubeNodeConfig(input: unknown): KubeNodeConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalid('config', 'must be an object');
  const o = input as Record<string, unknown>;
  const known = new Set([
    'kubeconfig',
    'context',
    'namespace',
    'nodePortRange',
    'publicAddress',
    'serviceType',
    'storageClass',
  ]);
  for (const k of Object.keys(o))
    if (!known.has(k))
      invalid(k, `is not a setting of kubernetes nodes (they have: ${[...known].join(', ')})`);
  const kubeconfig = optionalString(o, 'kubeconfig');
  if (!kubeconfig) invalid('kubeconfig', 'is required: the path of a kubeconfig file');
  if (!kubeconfig.startsWith('/')) invalid('kubeconfig', `must be an absolute path, got '${kubeconfig}'`);
  const context = optionalString(o, 'context');
  loadKubeconfig(kubeconfig, context);
  const namespace = optionalString(o, 'namespace');
  if (namespace && !DNS_LABEL.test(namespace)) {
    invalid(
      'namespace',
      `'${namespace}' is not a namespace name (lowercase letters, digits and dashes, at most 63)`,
    );
  }
  const publicAddress = optionalString(o, 'publicAddress');
  if (publicAddress && !/^[A-Za-z0-9.:[\]-]+$/.test(publicAddress))
    invalid('publicAddress', 'must be a host name or an IP address');
  const storageClass = optionalString(o, 'storageClass');
  if (storageClass && !DNS_NAME.test(storageClass))
    invalid('storageClass', `'${storageClass}' is not a storage class name (a lowercase DNS name)`);
  return {
    kubeconfig,
    ...(context ? { context } : {}),
    ...(namespace ? { namespace } : {}),
    nodePortRange: parseRange(o.nodePortRange),
    ...(publicAddress ? { publicAddress } : {}),
    serviceType: parseServiceType(o.serviceType),
    ...(storageClass ? { storageClass } : {}),
  };
}
