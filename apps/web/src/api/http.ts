import { ApiError } from './api-error';
import { noteOutcome } from './connection';

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Skip the "session ended" handling (signing in and out answer 401 themselves). */
  quiet401?: boolean;
}

type UnauthorizedListener = (message: string) => void;
const listeners = new Set<UnauthorizedListener>();

/** Called with the server's message whenever a request answers 401 (the session cookie no longer works). */
export function onUnauthorized(fn: UnauthorizedListener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

/** Turns a non-2xx response into an ApiError carrying the envelope's code, message and details. */
export async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    if (body.error?.message) {
      return new ApiError(
        res.status,
        body.error.code ?? 'ERROR',
        body.error.message,
        body.error.details ?? {},
      );
    }
  } catch {
    // not JSON: fall through to a message from the status
  }
  return new ApiError(
    res.status,
    'HTTP_' + res.status,
    `The server answered ${res.status} ${res.statusText}`.trim(),
  );
}

export function handleUnauthorized(err: ApiError, quiet = false): void {
  if (err.status !== 401 || quiet) return;
  for (const fn of listeners) fn(err.message);
}

/**
 * One API call. No credential is added here: the browser sends the HttpOnly `berth_session` cookie
 * itself (fetch's default `credentials: 'same-origin'`), and its `Origin` on writes, which the
 * server checks.
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers: { ...headers, ...opts.headers },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (!opts.signal?.aborted) noteOutcome(err);
    throw err;
  }
  if (!res.ok) {
    const err = await errorFrom(res);
    noteOutcome(err);
    handleUnauthorized(err, opts.quiet401);
    throw err;
  }
  noteOutcome();
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}
