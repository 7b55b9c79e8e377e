import { bindFailureIn, type DeploySpec, type PortBindFailed, RuntimeUnavailable } from '@berth/core';

/** The HTTP status of a failed Engine API call (dockerode puts it on `statusCode`). */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The node error code of a failed connection (`ECONNREFUSED`, `ENOTFOUND`…). */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export const isNotFound = (err: unknown) => statusOf(err) === 404;
export const isNotModified = (err: unknown) => statusOf(err) === 304;
export const isConflict = (err: unknown) => statusOf(err) === 409;

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ERR_SSH_DIAL_STDIO',
  'ERR_SSH_HOST_KEY',
]);

/** ssh2's levels for "could not connect or log in" (a protocol error inside a session is not one). */
const sshConnectionLevels = new Set([
  'client-socket',
  'client-timeout',
  'client-authentication',
  'handshake',
  'protocol',
]);

/**
 * True when the engine could not be reached at all (as opposed to answering with an error): the
 * connection failed, the TLS handshake failed, or the ssh login did.
 */
export function isConnectionError(err: unknown): boolean {
  const code = errnoOf(err);
  if (code !== undefined && connectionCodes.has(code)) return true;
  if (statusOf(err) === undefined && failureReason(err) === 'tls') return true;
  const level = (err as { level?: unknown } | null)?.level;
  return typeof level === 'string' && sshConnectionLevels.has(level);
}

/** The engine's own message for a failed call, without dockerode's "(HTTP code 404) …" prefix. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').split('\n')[0] ?? message;
}

/**
 * The engine's (or compose's) refusal to start a workload because a host port was taken — dockerd
 * says "Bind for 0.0.0.0:8080 failed: port is already allocated" or "listen tcp4 0.0.0.0:8080:
 * bind: address already in use" — as PortBindFailed naming the ports its message names; undefined
 * for any other failure.
 */
export function portBindFailure(err: unknown, spec: DeploySpec, node: string): PortBindFailed | undefined {
  const text = err instanceof Error ? err.message : String(err);
  const said = statusOf(err) === undefined ? text : engineMessage(err);
  return bindFailureIn(text, spec.ports, {
    message: `A port of ${spec.instanceName} is already in use on node ${node}: ${said}`,
    cause: err,
  });
}

/** Turns "the engine cannot be reached" into RuntimeUnavailable; other errors pass through. */
export function asRuntimeError(err: unknown, node: string): unknown {
  if (!isConnectionError(err)) return err;
  return new RuntimeUnavailable(
    `The Docker engine of node ${node} cannot be reached: ${failureMessage(err)}`,
    {
      cause: err,
      details: { node },
    },
  );
}

/** Why an engine cannot be used, in one word (what `berth node test` reports). */
export type DockerTestFailure =
  | 'dns'
  | 'refused'
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'unauthorized'
  | 'hostkey'
  | 'unknown';

const byCode: Record<string, DockerTestFailure> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  ECONNREFUSED: 'refused',
  ENOENT: 'refused',
  ECONNRESET: 'refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ETIMEDOUT: 'timeout',
  BERTH_TIMEOUT: 'timeout',
  EACCES: 'unauthorized',
  EPROTO: 'tls',
  ERR_SSH_HOST_KEY: 'hostkey',
};

export function failureReason(err: unknown): DockerTestFailure {
  const status = statusOf(err);
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 400 && HTTP_TO_HTTPS.test(engineMessage(err))) return 'tls';
  const code = errnoOf(err);
  if (code && byCode[code]) return byCode[code];
  if (code && /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_)/.test(code)) return 'tls';
  const message = err instanceof Error ? err.message : String(err);
  if (/authentication methods failed|permission denied/i.test(message)) return 'unauthorized';
  if (/timed out/i.test(message)) return 'timeout';
  if (status !== undefined) return 'unknown';
  return 'unknown';
}

/** dockerd's answer to plain HTTP on its TLS port. */
const HTTP_TO_HTTPS = /HTTP request to an HTTPS server/i;

/** One readable sentence: what failed, and for TLS and ssh which side refused what. */
export function failureMessage(err: unknown): string {
  const status = statusOf(err);
  if (status === 400 && HTTP_TO_HTTPS.test(engineMessage(err))) {
    return 'TLS: the engine only talks TLS; give the node its certificates (tls: {ca, cert, key} or certPath)';
  }
  if (status !== undefined) return `the endpoint answered HTTP ${status}: ${engineMessage(err)}`;
  if (failureReason(err) === 'tls') return tlsMessage(err);
  const ssh = sshMessage(err);
  if (ssh) return ssh;
  return engineMessage(err);
}

const serverCertCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

function tlsMessage(err: unknown): string {
  const code = errnoOf(err) ?? '';
  const detail = (err as { reason?: unknown }).reason;
  const why = typeof detail === 'string' && detail ? detail : opensslReason(engineMessage(err));
  if (serverCertCodes.has(code)) {
    return `TLS: the engine's certificate is not signed by the node's CA (tls.ca or ca.pem) — ${why}`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS: the engine's certificate is not valid for this host name — ${why}`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `TLS: the engine's certificate is outside its validity period — ${why}`;
  }
  if (
    /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|ACCESS_DENIED)/.test(code)
  ) {
    return `TLS: the engine rejected berth's client certificate (tls.cert/tls.key or cert.pem/key.pem): it was not signed by a CA the engine trusts — ${why}`;
  }
  if (/wrong version number/i.test(why)) {
    return `TLS: the endpoint does not speak TLS (a plain tcp engine, usually on port 2375?) — ${why}`;
  }
  return `TLS handshake failed — ${why}`;
}

/** "…:SSL routines:ssl3_get_record:wrong version number:../deps/…" → "wrong version number". */
function opensslReason(message: string): string {
  const m = /SSL routines:[^:]*:([^:]+)/.exec(message);
  return m?.[1] ?? message;
}

/** ssh2 marks its errors with a level; only the login and handshake ones need words. */
function sshMessage(err: unknown): string | undefined {
  const level = (err as { level?: unknown } | null)?.level;
  if (typeof level !== 'string') return undefined;
  const message = engineMessage(err);
  if (level === 'client-authentication') {
    return `ssh: the server accepted none of berth's credentials (the sshKey file, or the ssh-agent) for this user — ${message}`;
  }
  if (/before handshake/i.test(message)) {
    return `ssh: the endpoint closed the connection before the ssh handshake (is an ssh server on that port?) — ${message}`;
  }
  return `ssh: ${message}`;
}
