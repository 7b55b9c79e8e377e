import { connect, type Socket } from 'node:net';
import type { TokenCheck } from './credentials.js';
import type { InstanceTargets } from './instance-targets.js';
import type { ProxyMeter } from './proxy-meter.js';
import { nameFromHost, routeInstancePath } from './proxy-routing.js';
import { type BodyFraming, parseRequestHead, type RequestHead } from './request-head.js';

export interface SpliceOptions {
  targets: Pick<InstanceTargets, 'find'>;
  /** Takes over a connection the splice does not forward, its unread bytes unshifted; resumes it. */
  handOff(socket: Socket): void;
  /** The connection is no longer this splice's (closed or handed off). */
  done(splice: SplicedConnection): void;
  maxHeadBytes: number;
  headTimeoutMs: number;
  /** Recognises berth's tokens in Authorization headers, which never reach an instance. */
  isToken?: TokenCheck;
  /** Counts the requests and bytes forwarded to each instance. */
  meter?: ProxyMeter;
}

type Mode =
  | 'head'
  | 'length'
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-end'
  | 'trailer'
  | 'opaque'
  | 'connecting'
  | 'detaching'
  | 'gone';

const END_OF_HEAD = Buffer.from('\r\n\r\n');
const BARE_LF_END = Buffer.from('\n\n');
const SWITCHING = /^HTTP\/1\.[01] 101$/;
const LF = 0x0a;
const MAX_LINE = 4096;
const CHUNK_SIZE = /^([0-9a-fA-F]{1,12})[\t ]*(?:;[^\r\n]*)?\r\n$/;
const DETACH_GRACE_MS = 10_000;
/**
 * Every upstream connection in this process reads into this one buffer (Node's `onread`) and its
 * callback copies each read out before returning: no ArrayBuffer per read and no trip through the
 * readable stream (the proxy's CPU per request 43 → 37 µs in an A/B at load ~13; bench/README.md,
 * "Reverse proxy"). Safe to share: libuv reads one handle and calls back before it reads the next.
 */
const UPSTREAM_READ = Buffer.allocUnsafe(64 * 1024);
const TIMEOUT_408 = 'HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';
const AFTER_HEAD: Record<BodyFraming, Mode> = {
  none: 'head',
  length: 'length',
  chunked: 'chunk-size',
  opaque: 'opaque',
};

/**
 * One client connection to the proxy port, forwarded byte for byte to one upstream connection.
 * The first request's Host (`<name>.localhost`) or path (`/i/<name>/…`, sent on without the
 * prefix) picks the instance; every later request head on the connection is
 * still read (bodies are only counted, by Content-Length or chunk sizes), gets its own
 * X-Forwarded-* headers, and must name the same instance at the same port. A request the splice
 * cannot forward — another instance, a stopped one, a head it does not fully understand, or the
 * first request when no upstream answers — goes with the rest of the connection to the per-request
 * proxy (`handOff`), once the upstream has finished what it owes (its side closed). After an
 * Upgrade (WebSocket) request the connection is an opaque tunnel.
 */
export class SplicedConnection {
  private mode: Mode = 'head';
  private upstream: Socket | undefined;
  private name = '';
  private port = 0;
  private host = '';
  private remaining = 0;
  /** The pieces of an incomplete request head, and their length. */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** An incomplete chunk-size, chunk-end or trailer line (its bytes are already forwarded). */
  private line = '';
  /** Bytes read and not forwarded: replayed once connected, or handed off. */
  private held: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private clientEnded = false;
  /**
   * After an Upgrade request, until the instance's first bytes: whether it may still refuse and
   * go on with plain HTTP on the connection — only if that request had no body and the client
   * sent nothing since, so the next client bytes are a request head again.
   */
  private upgrade: 'none' | 'clean' | 'dirty' = 'none';
  private awaitingUpstreamDrain = false;
  private readonly remote: string;

  constructor(
    private readonly client: Socket,
    private readonly opts: SpliceOptions,
  ) {
    this.remote = client.remoteAddress ?? '';
    client.on('data', this.onClientData);
    client.on('end', this.onClientEnd);
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
    this.armHeadTimer();
  }

  /** Closes both sides now (server shutdown). */
  destroy(): void {
    this.upstream?.destroy();
    this.client.destroy();
  }

  private readonly onClientData = (chunk: Buffer): void => {
    if (this.partialLength === 0) {
      this.forward(chunk);
      return;
    }
    // A head arriving in pieces: join them only once it can be complete (or too long), so a
    // head sent a byte at a time costs linear time.
    const last = this.partial[this.partial.length - 1] as Buffer;
    const seam = Buffer.concat([last.subarray(Math.max(0, last.length - 3)), chunk]);
    this.partial.push(chunk);
    this.partialLength += chunk.length;
    const more = seam.indexOf(END_OF_HEAD) < 0 && seam.indexOf(BARE_LF_END) < 0;
    if (more && this.partialLength <= this.opts.maxHeadBytes) return;
    const buf = Buffer.concat(this.partial, this.partialLength);
    this.partial = [];
    this.partialLength = 0;
    this.forward(buf);
  };

  /** Walks `buf`, forwarding what belongs upstream and stopping at a head it will not forward. */
  private forward(buf: Buffer): void {
    const out: (Buffer | string)[] = [];
    let i = 0;
    while (i < buf.length) {
      switch (this.mode) {
        case 'head': {
          const end = buf.indexOf(END_OF_HEAD, i);
          const max = this.opts.maxHeadBytes;
          if (end < 0 || end + 4 - i > max) {
            // Too long: Node's parser answers 431; lines ended by a bare LF: 400. Incomplete:
            // wait, within the head timeout.
            if (end >= 0 || buf.length - i > max || buf.indexOf(BARE_LF_END, i) >= 0) {
              this.leave(out, buf.subarray(i));
              return;
            }
            this.partial = [buf.subarray(i)];
            this.partialLength = buf.length - i;
            this.armHeadTimer();
            i = buf.length;
            break;
          }
          const head = parseRequestHead(buf, i, end + 4, this.opts.isToken);
          const route = head && routeOf(head);
          if (!head || !route) {
            this.leave(out, buf.subarray(i));
            return;
          }
          const name = route.name;
          if (!this.upstream) {
            this.open(name, buf.subarray(i));
            return;
          }
          const target = this.opts.targets.find(name);
          if (name !== this.name || !target.ok || target.port !== this.port || target.host !== this.host) {
            this.leave(out, buf.subarray(i));
            return;
          }
          this.clearTimer();
          out.push(head.forwarded(this.remote, route.path));
          this.opts.meter?.request(name);
          i = end + 4;
          this.remaining = head.length;
          if (head.framing === 'opaque') this.upgrade = head.bodyless ? 'clean' : 'dirty';
          this.mode = head.framing === 'length' && head.length === 0 ? 'head' : AFTER_HEAD[head.framing];
          break;
        }
        case 'length':
        case 'chunk-data': {
          const n = Math.min(this.remaining, buf.length - i);
          out.push(buf.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.mode = this.mode === 'length' ? 'head' : 'chunk-end';
          break;
        }
        case 'chunk-size':
        case 'chunk-end':
        case 'trailer': {
          const lf = buf.indexOf(LF, i);
          const stop = lf < 0 ? buf.length : lf + 1;
          out.push(buf.subarray(i, stop));
          this.line += buf.toString('latin1', i, stop);
          i = stop;
          if (lf >= 0) {
            const line = this.line;
            this.line = '';
            if (!this.chunkLine(line)) {
              this.fail('bad chunked body');
              return;
            }
          } else if (this.line.length > MAX_LINE) {
            this.fail('chunk line too long');
            return;
          }
          break;
        }
        case 'opaque':
          if (this.upgrade === 'clean') this.upgrade = 'dirty';
          out.push(i === 0 ? buf : buf.subarray(i));
          i = buf.length;
          break;
        default:
          // connecting, detaching, gone: the client is paused, nothing more is read here.
          return;
      }
    }
    this.send(out);
  }

  /** One line of a chunked body: a chunk size, the CRLF after a chunk, or a trailer line. */
  private chunkLine(line: string): boolean {
    if (!line.endsWith('\r\n')) return false;
    if (this.mode === 'chunk-size') {
      const m = CHUNK_SIZE.exec(line);
      if (!m?.[1]) return false;
      this.remaining = Number.parseInt(m[1], 16);
      this.mode = this.remaining === 0 ? 'trailer' : 'chunk-data';
    } else if (this.mode === 'chunk-end') {
      if (line !== '\r\n') return false;
      this.mode = 'chunk-size';
    } else if (line === '\r\n') this.mode = 'head';
    return true;
  }

  private send(out: (Buffer | string)[]): void {
    const up = this.upstream;
    if (!up || out.length === 0) return;
    const meter = this.opts.meter;
    if (meter) for (const piece of out) meter.bytes(this.name, 'in', Buffer.byteLength(piece));
    let ok = true;
    if (out.length === 1) ok = write(up, out[0] as Buffer | string);
    else {
      up.cork();
      for (const piece of out) ok = write(up, piece);
      up.uncork();
    }
    if (!ok && !this.awaitingUpstreamDrain) {
      this.awaitingUpstreamDrain = true;
      this.client.pause();
      up.once('drain', () => {
        this.awaitingUpstreamDrain = false;
        this.flow();
      });
    }
  }

  /** The first request: connect to the instance, then replay what was read. */
  private open(name: string, bytes: Buffer): void {
    const target = this.opts.targets.find(name);
    if (!target.ok || target.gateway) {
      this.leave([], bytes);
      return;
    } // the per-request proxy answers with the 502 page, or goes through the node's gateway
    this.clearTimer();
    this.mode = 'connecting';
    this.held = bytes;
    this.client.pause();
    const up = connect({
      host: target.host,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
      onread: { buffer: UPSTREAM_READ, callback: this.onUpstreamRead },
    });
    this.upstream = up;
    up.on('error', this.onUpstreamError);
    up.once('connect', () => {
      this.name = name;
      this.port = target.port;
      this.host = target.host;
      this.mode = 'head';
      up.on('end', this.onUpstreamEnd);
      up.on('close', this.onUpstreamClose);
      const held = this.held;
      this.held = undefined;
      if (held) this.forward(held);
      if (this.clientEnded && this.forwarding()) up.end();
      this.flow();
    });
  }

  /**
   * The request at the start of `bytes` is not for this splice: send what came before it, let
   * the upstream finish (end our side, wait for it to close), then hand the connection off.
   */
  private leave(out: (Buffer | string)[], bytes: Buffer): void {
    this.clearTimer();
    if (!this.upstream) {
      this.handOff(bytes);
      return;
    }
    this.send(out);
    this.mode = 'detaching';
    this.held = bytes;
    this.client.pause();
    this.upstream.end();
    this.timer = setTimeout(() => this.upstream?.destroy(), DETACH_GRACE_MS).unref();
  }

  private handOff(bytes: Buffer | undefined): void {
    this.mode = 'gone';
    this.clearTimer();
    const c = this.client;
    c.off('data', this.onClientData);
    c.off('end', this.onClientEnd);
    c.off('error', this.onClientError);
    c.off('close', this.onClientClose);
    this.opts.done(this);
    if (this.clientEnded || c.destroyed) {
      c.destroy();
      return;
    }
    if (bytes && bytes.length > 0) c.unshift(bytes);
    c.pause(); // until the taker reads it
    this.opts.handOff(c);
  }

  private fail(_reason: string): void {
    this.mode = 'gone';
    this.destroy();
  }

  private forwarding(): boolean {
    return this.mode !== 'connecting' && this.mode !== 'detaching' && this.mode !== 'gone';
  }

  /** Reads from the client again unless something else holds it. */
  private flow(): void {
    if (!this.awaitingUpstreamDrain && this.forwarding()) this.client.resume();
  }

  /**
   * `n` bytes the instance sent, in the shared read buffer: copied out and sent to the client.
   * False (stop reading) while the client does not take more.
   */
  private readonly onUpstreamRead = (n: number, buf: Uint8Array): boolean => {
    const chunk = Buffer.from(buf.subarray(0, n));
    this.opts.meter?.bytes(this.name, 'out', n);
    if (this.upgrade !== 'none') this.upgradeAnswered(chunk);
    if (this.client.write(chunk)) return true;
    const up = this.upstream;
    if (up) this.client.once('drain', () => up.resume());
    return false;
  };

  /** The instance refused an upgrade (no `101`): read the connection request by request again. */
  private upgradeAnswered(chunk: Buffer): void {
    const clean = this.upgrade === 'clean';
    this.upgrade = 'none';
    if (
      clean &&
      this.mode === 'opaque' &&
      chunk.length >= 12 &&
      !SWITCHING.test(chunk.toString('latin1', 0, 12))
    ) {
      this.mode = 'head';
    }
  }

  private readonly onUpstreamEnd = (): void => {
    if (this.mode !== 'detaching' && !this.client.writableEnded) this.client.end();
  };

  private readonly onUpstreamClose = (hadError: boolean): void => {
    this.upstream = undefined;
    if (this.mode === 'gone') return;
    if (this.mode === 'detaching' && !hadError) {
      const held = this.held;
      this.held = undefined;
      this.handOff(held);
      return;
    }
    // The instance closed its side (idle timeout, exit): so does the client's connection.
    this.mode = 'gone';
    if (hadError) this.client.destroy();
    else this.client.destroySoon();
  };

  private readonly onUpstreamError = (): void => {
    if (this.mode !== 'connecting') return; // 'close' (hadError) follows and ends the client
    // Nothing was sent either way: the per-request proxy retries and answers 502 if it fails too.
    this.upstream?.destroy();
    this.upstream = undefined;
    const held = this.held;
    this.held = undefined;
    this.handOff(held);
  };

  private readonly onClientEnd = (): void => {
    this.clientEnded = true;
    const up = this.upstream;
    if (this.mode === 'gone') return;
    if (!up)
      this.client.destroy(); // half a head and no more to come
    else if (this.forwarding()) up.end();
  };

  private readonly onClientError = (): void => {
    this.upstream?.destroy();
  };

  private readonly onClientClose = (): void => {
    this.clearTimer();
    this.upstream?.destroy();
    this.mode = 'gone';
    this.opts.done(this);
  };

  private armHeadTimer(): void {
    if (this.timer) return;
    this.timer = setTimeout(this.onHeadTimeout, this.opts.headTimeoutMs).unref();
  }

  private clearTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A head that does not complete in time (slowloris): 408 before any upstream, else close. */
  private readonly onHeadTimeout = (): void => {
    this.timer = undefined;
    if (this.mode !== 'head') return;
    this.mode = 'gone';
    if (this.upstream) this.destroy();
    else {
      this.client.write(TIMEOUT_408);
      this.client.destroySoon();
    }
  };
}

/**
 * The instance a request names, as the per-request proxy routes it: the host form
 * `<name>.localhost` (path unchanged), else the path form `/i/<name>/…` (`path` without the
 * prefix). Anything else (`/i/<name>` without its slash, which is redirected) is not spliced.
 */
function routeOf(head: RequestHead): { name: string; path?: string } | undefined {
  const name = nameFromHost(head.host);
  if (name) return { name };
  const route = head.target.charCodeAt(1) === 0x69 ? routeInstancePath(head.target) : undefined; // `/i…`
  return route?.kind === 'proxy' ? { name: route.name, path: route.path } : undefined;
}

function write(socket: Socket, piece: Buffer | string): boolean {
  return typeof piece === 'string' ? socket.write(piece, 'latin1') : socket.write(piece);
}
