import type { FailureReason } from '../api/types';

/** Each failure reason of a connection test in words a person reads. */
export const REASON_WORDS: Record<FailureReason, string> = {
  dns: 'The host name cannot be resolved (DNS)',
  refused: 'The connection was refused: nothing listens at that address and port',
  unreachable: 'The host cannot be reached on the network',
  tls: 'The TLS handshake failed: check the certificates or the https:// address',
  unauthorized: 'The credentials were rejected (unauthorized): check the API key',
  timeout: 'The endpoint did not answer in time (timeout)',
  hostkey: 'The ssh host presented another host key than the one expected',
  unknown: 'The connection failed',
};

export interface ConnectionVerdict {
  ok: boolean;
  /** One line: "Reachable: Portainer 2.21.4, 12 ms" or the reason in words and the server's detail. */
  text: string;
  reason?: FailureReason | undefined;
}

/** Reads a test answer (`{ ok, version, latencyMs }` or `{ ok: false, reason, message }`) into one line. */
export function verdictOf(
  r: {
    ok?: boolean;
    version?: string;
    latencyMs?: number;
    reason?: FailureReason;
    message?: string;
    error?: string;
  },
  product = '',
): ConnectionVerdict {
  const failed = r.ok === false || r.error !== undefined;
  if (!failed) {
    const parts = [
      r.version ? `${product ? `${product} ` : ''}${r.version}` : null,
      r.latencyMs !== undefined ? `${Math.round(r.latencyMs)} ms` : null,
    ].filter(Boolean);
    return { ok: true, text: `Reachable${parts.length ? `: ${parts.join(', ')}` : ''}` };
  }
  const reason = r.reason && r.reason in REASON_WORDS ? r.reason : undefined;
  const detail = r.message ?? r.error;
  if (!reason || reason === 'unknown') return { ok: false, text: detail ?? REASON_WORDS.unknown, reason };
  const headline = REASON_WORDS[reason];
  return { ok: false, text: `${headline}${detail ? ` — ${withoutRepeat(headline, detail)}` : ''}`, reason };
}

/** "the connection was refused (connect ECONNREFUSED …)" after a headline that says so → the part in brackets. */
function withoutRepeat(headline: string, detail: string): string {
  const m = /^([^(]+)\((.*)\)$/.exec(detail.trim());
  if (!m?.[1] || !m[2]) return detail;
  return headline.toLowerCase().includes(m[1].trim().toLowerCase()) ? m[2] : detail;
}
