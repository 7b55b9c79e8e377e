import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpStatusError, TimeoutError } from './connection-failure.js';

export interface HttpJsonRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: unknown;
  /** False accepts any certificate (self-signed Portainer, say). */
  verifyTls?: boolean;
  signal: AbortSignal;
}

/**
 * One JSON call over http or https. A status outside 2xx throws HttpStatusError with the server's
 * own message when it gave one; an aborted signal throws its reason (TimeoutError for timeouts).
 */
export function httpJson(req: HttpJsonRequest): Promise<unknown> {
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  const send = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (req.signal.aborted) return reject(abortReason(req.signal));
    const call = send(
      req.url,
      {
        method: req.method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...req.headers,
        },
        rejectUnauthorized: req.verifyTls ?? true,
        signal: req.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          settle(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), resolve, reject),
        );
      },
    );
    call.on('error', (err) => reject(req.signal.aborted ? abortReason(req.signal) : err));
    call.end(body);
  });
}

function settle(status: number, text: string, resolve: (v: unknown) => void, reject: (e: unknown) => void) {
  const json = parse(text);
  if (status >= 200 && status < 300) {
    if (json === undefined) return reject(new Error(`the answer (HTTP ${status}) is not JSON`));
    return resolve(json);
  }
  reject(new HttpStatusError(status, `HTTP ${status}${serverMessage(json)}`));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Portainer answers `{ message, details }`, Komodo `{ error, trace }`. */
function serverMessage(json: unknown): string {
  const o = (json ?? {}) as { message?: unknown; error?: unknown; details?: unknown };
  const text = [o.message, o.error, o.details].find((v) => typeof v === 'string' && v !== '');
  return typeof text === 'string' ? `: ${text.split('\n')[0]}` : '';
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof TimeoutError ? signal.reason : (signal.reason ?? new Error('aborted'));
}
