import { type ErrorEnvelope, errorKindOf } from '@berth/contracts';
import type { ApiCall, ApiPath } from './api-paths.js';
import { CliError } from './cli-error.js';

type Query = Record<string, string | number | boolean | undefined>;

/**
 * A small client of berth's HTTP API; failures become CliErrors carrying the error's kind. Paths and
 * bodies are typed from the API document (see api-paths.ts); response types are the caller's.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  get<T>(path: ApiPath<'get'>, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  /** A GET whose answer is text (a manifest's YAML); a failure is still the JSON error envelope. */
  getText(path: ApiPath<'get'>, query?: Query): Promise<string> {
    return this.request<string>('GET', path, undefined, query, 'text');
  }

  post<T>(...[path, body, query]: [...ApiCall<'post'>, query?: Query]): Promise<T> {
    return this.request<T>('POST', path, body, query);
  }

  put<T>(...[path, body]: ApiCall<'put'>): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(...[path, body, query]: [...ApiCall<'patch'>, query?: Query]): Promise<T> {
    return this.request<T>('PATCH', path, body, query);
  }

  delete(path: ApiPath<'delete'>, query?: Query): Promise<void> {
    return this.request<void>('DELETE', path, undefined, query);
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Query,
    answer: 'json' | 'text' = 'json',
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new CliError(
        'unreachable',
        `cannot reach berth at ${this.baseUrl}${code ? ` (${code})` : ''}; is \`berth serve\` running?`,
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (res.ok && answer === 'text') return text as T;
    const data = text ? parseJson(text) : undefined;
    if (!res.ok) throw this.failure(res.status, data);
    return data as T;
  }

  /** Opens a `follow=1` response as Server-Sent Events; failures become CliErrors like any request. */
  async openEventStream(path: ApiPath<'get'>, query: Query, signal: AbortSignal): Promise<Response> {
    const url = new URL(`${this.baseUrl}/api/v1${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new CliError('unreachable', `cannot reach berth at ${this.baseUrl}; is \`berth serve\` running?`);
    }
    if (!res.ok) {
      const text = await res.text();
      throw this.failure(res.status, text ? parseJson(text) : undefined);
    }
    return res;
  }

  private failure(status: number, data: unknown): CliError {
    const error = (data as ErrorEnvelope | undefined)?.error;
    const kind = errorKindOf(status, error?.code) ?? 'unknown';
    let message = error?.message ?? `the server answered ${status}`;
    if (kind === 'unauthenticated' && !this.token) {
      message += ' (set BERTH_TOKEN, or run where BERTH_HOME holds admin.token)';
    }
    return new CliError(kind, message, error?.code ?? `HTTP_${status}`, error?.details ?? {});
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
