import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { GatewayUpstream } from '@berth/core';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';

/** The API's answer to a failed call: its HTTP code and the Status it sent (message, reason, causes). */
export interface KubeFailure {
  code: number;
  message: string;
  reason: string;
  causes: { reason?: string; message?: string; field?: string }[];
}

/** What a failed call answered, or undefined when it never reached the API (network, TLS). */
export function kubeFailure(e: unknown): KubeFailure | undefined {
  if (!(e instanceof ApiException)) return undefined;
  let status: { message?: string; reason?: string; details?: { causes?: KubeFailure['causes'] } } = {};
  try {
    status = typeof e.body === 'string' ? JSON.parse(e.body) : (e.body ?? {});
  } catch {
    status = { message: String(e.body) };
  }
  return {
    code: e.code,
    message: status.message ?? e.message,
    reason: status.reason ?? '',
    causes: status.details?.causes ?? [],
  };
}

export const isNotFound = (e: unknown) => kubeFailure(e)?.code === 404;

/** A merge patch (RFC 7386): the client sends a JSON patch unless told otherwise. */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * One cluster and namespace through @kubernetes/client-node: the typed APIs, plus plain GETs for
 * what the typed APIs do not cover (pods/log with `stream`, metrics.k8s.io).
 */
export class KubeClient {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;
  readonly version: VersionApi;

  constructor(
    readonly config: KubeConfig,
    readonly namespace: string,
  ) {
    this.apps = config.makeApiClient(AppsV1Api);
    this.core = config.makeApiClient(CoreV1Api);
    this.version = config.makeApiClient(VersionApi);
  }

  /** A GET as a response stream, authenticated as the kubeconfig says. */
  async get(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
    const server = this.config.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(path.replace(/^\//, ''), server.endsWith('/') ? server : `${server}/`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const opts: RequestOptions = { method: 'GET', headers: {} };
    await this.config.applyToHTTPSOptions(opts);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(url, { ...opts, ...(signal ? { signal } : {}) }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * A base URL on the API server (`path`, e.g. a service proxy) with the kubeconfig's credentials
   * as plain headers and TLS settings, for a request berth's proxy makes itself. Read per call:
   * an exec plugin's token may have been renewed.
   */
  async upstream(path: string): Promise<GatewayUpstream> {
    const server = this.config.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const opts: RequestOptions = { headers: {} };
    await this.config.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {}))
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const pem = (v: unknown) => (v ? String(v) : undefined);
    const tls = {
      ...(pem(opts.ca) ? { ca: pem(opts.ca)! } : {}),
      ...(pem(opts.cert) ? { cert: pem(opts.cert)! } : {}),
      ...(pem(opts.key) ? { key: pem(opts.key)! } : {}),
      ...(this.config.getCurrentCluster()?.skipTLSVerify ? { rejectUnauthorized: false } : {}),
    };
    return { url: `${server.replace(/\/$/, '')}${path}`, headers, tls };
  }

  /** A GET's JSON body; throws with the API's message on a status ≥ 400 (code in `.code`). */
  async getJson<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const res = await this.get(path, query);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if ((res.statusCode ?? 500) >= 400) throw new ApiException(res.statusCode ?? 500, text, text, {});
    return JSON.parse(text) as T;
  }
}
