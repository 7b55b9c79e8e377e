import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@berth/core';
import type { Target } from './instance-targets.js';
import type { ProxyMeter } from './proxy-meter.js';
import type { FromWorker, ToWorker, WorkerTarget } from './proxy-worker-messages.js';

export interface ProxyWorkersOptions {
  count: number;
  /** Whether the main process takes its turn among the workers (`take` answers false then). */
  mainTakesTurns: boolean;
  /** The main process's routing table (InstanceTargets). */
  targets: { find(key: string): Target };
  /** Serves a connection a worker relayed, as if the client had connected here. */
  adopt(socket: Socket): void;
  meter?: ProxyMeter | undefined;
  log: Logger;
  /** The worker's entry (default: proxy-worker.js beside this module, in dist/). */
  entry?: string;
}

const RESPAWN_MS = 1000;
const STOP_GRACE_MS = 2000;
const MAX_PREAMBLE = 128;

/**
 * More event loops for the proxy port: `count` child processes that splice connections themselves
 * (proxy-worker.ts). The main process accepts every connection without reading from it and hands
 * them out in turn, itself included (`take`), like node:cluster's round robin: a listener shared
 * by several processes leaves the balance to the kernel, and on Linux the first process to wake
 * accepts a whole burst (wrk's 32 connections all went to one). The main process keeps the
 * routing table: a worker asks for each name it meets (`want`), gets an answer,
 * and from then on every change of it — `changed(name)` on any event about the instance; what a
 * worker cannot forward it relays here over a private unix socket, with the client's address on a
 * first line, and `adopt` serves it. Workers report requests and bytes per instance twice a second.
 * A worker that dies is started again after a second, unless it died before it was ready (then
 * the proxy goes on in the main process alone, and says so).
 */
export class ProxyWorkers {
  private readonly workers = new Set<ChildProcess>();
  /** Ready workers, in turn order. */
  private ready: ChildProcess[] = [];
  private turn = 0;
  /** Keys some worker asked for: their changes are sent to every worker. */
  private readonly wanted = new Set<string>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
  private readonly relayPath = join(this.dir, 'relay.sock');
  private readonly relay: Server;
  /** Connections relayed from workers, closed with the workers. */
  private readonly relayed = new Set<Socket>();
  private started: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly opts: ProxyWorkersOptions) {
    this.relay = createServer({ allowHalfOpen: true }, (socket) => this.fromRelay(socket));
  }

  /** Starts the workers once (on the proxy port's first connection); resolves when all are ready. */
  start(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      this.relay.once('error', reject);
      this.relay.listen(this.relayPath, () => resolve());
    }).then(async () => {
      await Promise.all(Array.from({ length: this.opts.count }, () => this.spawn()));
    });
    return this.started;
  }

  /**
   * Gives a fresh connection (accepted paused, nothing read) to the next worker in turn; false
   * when it is the main process's turn, or no worker is ready.
   */
  take(socket: Socket): boolean {
    const n = this.ready.length;
    if (n === 0) return false;
    const slot = this.turn++ % (this.opts.mainTakesTurns ? n + 1 : n);
    const w = this.ready[slot];
    if (!w?.connected) return false;
    w.send({ t: 'conn' } satisfies ToWorker, socket);
    return true;
  }

  /** Something about instance `name` changed: workers that route it get its target again. */
  changed(name: string): void {
    if (this.workers.size === 0) return;
    for (const key of this.wanted) {
      if (key !== name && !key.endsWith(`.${name}`)) continue;
      const m: ToWorker = { t: 'target', key, target: this.targetOf(key) };
      for (const w of this.workers) w.send(m);
    }
  }

  get size(): number {
    return this.workers.size;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.ready = [];
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null || w.signalCode !== null) return resolve();
          const timer = setTimeout(() => w.kill('SIGKILL'), STOP_GRACE_MS);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          if (w.connected) w.send({ t: 'stop' } satisfies ToWorker);
          else w.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    for (const socket of this.relayed) socket.destroy();
    await new Promise<void>((resolve) =>
      this.relay.listening ? this.relay.close(() => resolve()) : resolve(),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private spawn(): Promise<void> {
    const entry = this.opts.entry ?? workerEntry();
    const log = this.opts.log;
    const w = fork(entry, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.workers.add(w);
    return new Promise<void>((resolve) => {
      let ready = false;
      w.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          ready = true;
          this.ready.push(w);
          log.debug({ pid: w.pid }, 'Started proxy worker');
          resolve();
        } else this.onMessage(w, m);
      });
      w.on('error', (err) => log.warn({ err: err.message, pid: w.pid }, 'Proxy worker failed'));
      w.once('exit', (code, signal) => {
        this.workers.delete(w);
        this.ready = this.ready.filter((r) => r !== w);
        if (this.closing) return;
        if (!ready) {
          log.warn(
            { code, signal, entry },
            'Failed to start a proxy worker: the proxy goes on in this process',
          );
          resolve();
          return;
        }
        log.warn({ code, signal, pid: w.pid }, 'Proxy worker exited; starting another');
        setTimeout(() => {
          if (!this.closing) void this.spawn();
        }, RESPAWN_MS).unref();
      });
      w.send({ t: 'hello', relay: this.relayPath } satisfies ToWorker);
    });
  }

  private onMessage(w: ChildProcess, m: FromWorker): void {
    if (m.t === 'want') {
      if (this.wanted.size > 20_000) this.wanted.clear();
      this.wanted.add(m.key);
      w.send({ t: 'target', key: m.key, target: this.targetOf(m.key) } satisfies ToWorker);
    } else if (m.t === 'meter') {
      const meter = this.opts.meter;
      if (!meter) return;
      for (const [name, requests, bytesIn, bytesOut] of m.counts) {
        if (requests > 0) meter.request(name, requests);
        if (bytesIn > 0) meter.bytes(name, 'in', bytesIn);
        if (bytesOut > 0) meter.bytes(name, 'out', bytesOut);
      }
    }
  }

  /** Only a target the worker can splice; the rest (stopped, unknown, a gateway) is served here. */
  private targetOf(key: string): WorkerTarget {
    const t = this.opts.targets.find(key);
    return t.ok && !t.gateway ? { host: t.host, port: t.port } : null;
  }

  /** A connection a worker relayed: its first line is the client's address, then its bytes. */
  private fromRelay(socket: Socket): void {
    this.relayed.add(socket);
    socket.once('close', () => this.relayed.delete(socket));
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(0x0a);
      if (nl < 0) {
        if (head.length > MAX_PREAMBLE) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const remote = head.toString('latin1', 0, nl);
      // The client's address, for X-Forwarded-For, as if it had connected here.
      Object.defineProperty(socket, 'remoteAddress', { value: remote, configurable: true });
      if (nl + 1 < head.length) socket.unshift(head.subarray(nl + 1));
      this.opts.adopt(socket);
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }
}

/** proxy-worker.js beside this module; from the sources (tests), the built one in dist/. */
function workerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), '..', '..', 'dist', 'proxy', 'proxy-worker.js');
  return join(dirname(here), 'proxy-worker.js');
}
