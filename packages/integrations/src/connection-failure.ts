import type { FailureReason } from '@berth/contracts';

export type { FailureReason };

/** An integration answered with an HTTP error status. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** A call was given up because its time ran out. */
export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${Math.round(ms / 100) / 10} s`);
    this.name = 'TimeoutError';
  }
}

const byCode: Record<string, FailureReason> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'refused',
  ENOENT: 'refused',
  EHOSTUNREACH: 'refused',
  ENETUNREACH: 'refused',
  ETIMEDOUT: 'timeout',
  EACCES: 'unauthorized',
  EPROTO: 'tls',
};

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL)/;

/** The reason behind a failed call: HTTP status first, then the socket's error code. */
export function failureReason(err: unknown): FailureReason {
  if (err instanceof TimeoutError) return 'timeout';
  const status = statusOf(err);
  if (status === 401 || status === 403) return 'unauthorized';
  if (status !== undefined) return 'unknown';
  const code = codeOf(err);
  if (code && byCode[code]) return byCode[code];
  if (code && TLS_CODE.test(code)) return 'tls';
  const message = err instanceof Error ? err.message : String(err);
  if (/ssl|tls|certificate/i.test(message)) return 'tls';
  if (/timed? ?out/i.test(message)) return 'timeout';
  return 'unknown';
}

/** One line for a person, built from the error; never a stack. */
export function failureMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0] ?? message;
  switch (failureReason(err)) {
    case 'unauthorized':
      return `the credentials were rejected (${first})`;
    case 'dns':
      return `the host name cannot be resolved (${first})`;
    case 'refused':
      return `the connection was refused (${first})`;
    case 'tls':
      return `the TLS handshake failed (${first})`;
    case 'timeout':
      return `the endpoint did not answer in time (${first})`;
    default:
      return first;
  }
}

function statusOf(err: unknown): number | undefined {
  if (err instanceof HttpStatusError) return err.status;
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause && cause !== err ? codeOf(cause) : undefined;
}
