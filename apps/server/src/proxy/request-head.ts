import { isBerthAuthorization, type TokenCheck, withoutSessionCookie } from './credentials.js';

/** How the body after a request head ends, as the upstream will frame it. */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'opaque';

/** A request head the connection router can forward as it is, plus what it needs to route it. */
export interface RequestHead {
  /** The Host header's value, trimmed. */
  host: string;
  /** The request line's request-target (`/a?b=1`). */
  target: string;
  framing: BodyFraming;
  /** Body bytes when `framing` is `length`. */
  length: number;
  /** Neither a Content-Length above 0 nor a Transfer-Encoding: no body follows, whatever the framing. */
  bodyless: boolean;
  /**
   * The head to send upstream: X-Forwarded-For/-Host/-Proto set, Proxy-* and berth's credentials
   * (its session cookie, `Authorization` with a berth token) dropped, `\r\n\r\n` ended; with
   * `target`, the request line asks for that instead (the path form's prefix taken off).
   */
  forwarded(remote: string, target?: string): string;
}

const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [!-~]+ HTTP\/1\.[01]$/;
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Visible ASCII, space, tab and obs-text; no CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DIGITS = /^\d{1,15}$/;

/**
 * Parses the head in `buf[start, end)` (`end` just past the blank line) strictly. Anything it
 * does not fully understand — a malformed line, obs-fold, a missing or repeated Host, ambiguous
 * body framing (Content-Length with Transfer-Encoding, repeated or non-numeric Content-Length, a
 * coding other than `chunked`), CONNECT — gives `undefined`, and the caller leaves the request to
 * Node's own HTTP parser, which answers it or refuses it.
 */
export function parseRequestHead(
  buf: Buffer,
  start: number,
  end: number,
  isToken?: TokenCheck,
): RequestHead | undefined {
  const text = buf.toString('latin1', start, end - 4);
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const requestLine = text.slice(0, eol);
  if (!REQUEST_LINE.test(requestLine) || requestLine.startsWith('CONNECT ')) return undefined;
  const targetStart = requestLine.indexOf(' ') + 1;
  const targetEnd = requestLine.lastIndexOf(' ');
  let host: string | undefined;
  let length: string | undefined;
  let chunked = false;
  let upgradeHeader = false;
  let connectionUpgrade = false;
  let priorFor: string | undefined;
  let keep: string[] | undefined;
  let pos = eol + 2;
  while (pos < text.length) {
    eol = text.indexOf('\r\n', pos);
    if (eol < 0) eol = text.length;
    const line = text.slice(pos, eol);
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    const rawValue = line.slice(colon + 1);
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(rawValue)) return undefined;
    const value = rawValue.trim();
    // The line as forwarded: unchanged (undefined), rewritten, or dropped (null).
    let replaced: string | null | undefined;
    switch (name.toLowerCase()) {
      case 'host':
        if (host !== undefined) return undefined;
        host = value;
        break;
      case 'content-length':
        if (length !== undefined || !DIGITS.test(value)) return undefined;
        length = value;
        break;
      case 'transfer-encoding':
        if (chunked || value.toLowerCase() !== 'chunked') return undefined;
        chunked = true;
        break;
      case 'upgrade':
        upgradeHeader = true;
        break;
      case 'connection':
        if (/(?:^|,)\s*upgrade\s*(?:,|$)/i.test(value)) connectionUpgrade = true;
        break;
      case 'x-forwarded-for':
        priorFor = priorFor === undefined ? value : `${priorFor}, ${value}`;
        replaced = null;
        break;
      case 'x-forwarded-host':
      case 'x-forwarded-proto':
      case 'proxy-authorization':
      case 'proxy-connection':
        replaced = null;
        break;
      case 'authorization': {
        const berths = isBerthAuthorization(value, isToken);
        if (berths === undefined) return undefined; // this process cannot tell: leave it to one that can
        if (berths) replaced = null;
        break;
      }
      case 'cookie': {
        const rest = withoutSessionCookie(value);
        if (rest !== value) replaced = rest === undefined ? null : `${name}: ${rest}`;
        break;
      }
    }
    if (replaced !== undefined && !keep) keep = text.slice(0, pos - 2).split('\r\n');
    if (keep && replaced !== null) keep.push(replaced ?? line);
    pos = eol + 2;
  }
  if (host === undefined || (chunked && length !== undefined)) return undefined;
  const kept = keep ? keep.join('\r\n') : text;
  const forwardedHost = host;
  const upgrade = upgradeHeader && connectionUpgrade;
  return {
    host,
    target: requestLine.slice(targetStart, targetEnd),
    framing: upgrade ? 'opaque' : chunked ? 'chunked' : length !== undefined ? 'length' : 'none',
    length: length === undefined ? 0 : Number(length),
    bodyless: !chunked && (length === undefined || Number(length) === 0),
    forwarded: (remote, target) =>
      `${target === undefined ? kept : kept.slice(0, targetStart) + target + kept.slice(targetEnd)}\r\nx-forwarded-for: ${priorFor ? `${priorFor}, ${remote}` : remote}\r\nx-forwarded-host: ${forwardedHost}\r\nx-forwarded-proto: http\r\n\r\n`,
  };
}
