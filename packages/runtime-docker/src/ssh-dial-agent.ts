import { Agent, type ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import type { SeenHostKey, SshHostTrust } from './ssh-host-trust.js';

/** ssh2 is read on the first ssh connection: a server with no ssh node never needs it (~2 MB of heap). */
const require = createRequire(import.meta.url);

/** What the remote side runs for each connection: the docker CLI bridging stdio to its engine. */
const DIAL = 'docker system dial-stdio';
/** Below OpenSSH's default MaxSessions (10 sessions per connection). */
const CHANNELS_PER_SESSION = 8;
/** An ssh connection with no channel open this long is closed (it also keeps the process alive). */
const IDLE_MS = 1_000;
/** A dial-stdio channel kept for the next request this long (the reconciler ticks every second). */
const FREE_MS = 4_000;

interface Session {
  client: Client;
  ready: Promise<void>;
  channels: number;
  /** Its dial-stdio channels, in use or free. */
  streams: Set<ClientChannel>;
  closed: boolean;
  idle: NodeJS.Timeout | undefined;
}

/**
 * An http.Agent whose sockets are `docker system dial-stdio` channels on a remote host, several
 * over one ssh connection that is opened on first use, closed when idle and opened again after it
 * dropped. docker-modem's own ssh transport makes a new ssh connection — a full handshake — and
 * starts a new docker CLI for every Engine API call (about 300 ms each here), and the reconciler
 * inspects every instance every tick; here a channel serves one HTTP keep-alive request after
 * another. Keepalives notice a host that vanished within a few seconds, so the next call reconnects.
 */
export class SshDialAgent extends Agent {
  private readonly sessions = new Set<Session>();
  private readonly freeTimers = new WeakMap<Duplex, NodeJS.Timeout>();
  private readonly sessionOf = new WeakMap<Duplex, Session>();

  /**
   * @param trust checks the host's key on every new ssh connection (the node's hostKey, known_hosts,
   *   or trust on first use); without it any key is accepted.
   */
  constructor(
    private readonly config: ConnectConfig,
    private readonly trust?: SshHostTrust,
  ) {
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  /** The host key the last connection accepted, and what it matched. */
  get hostKey(): SeenHostKey | undefined {
    return this.trust?.seen;
  }

  /** A new hostKey for the node (undefined: trust the next key on first use); open connections close. */
  expectHostKey(fingerprint: string | undefined): void {
    this.trust?.expect(fingerprint);
    for (const s of this.sessions) this.close(s);
  }

  /** A channel is no net.Socket: it has no TCP keepalive or ref to set; it closes when unused a while. */
  override keepSocketAlive(socket: Duplex): boolean {
    if (this.sessionOf.get(socket)?.closed) return false;
    const timer = setTimeout(() => socket.destroy(), FREE_MS);
    timer.unref();
    this.freeTimers.set(socket, timer);
    return true;
  }

  override reuseSocket(socket: Duplex, request: ClientRequest): void {
    clearTimeout(this.freeTimers.get(socket));
    this.freeTimers.delete(socket);
    super.reuseSocket(socket, request);
  }

  override createConnection(
    _options: unknown,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.dial().then(
      (channel) => callback?.(null, channel),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }

  override destroy(): void {
    for (const s of this.sessions) this.close(s);
    super.destroy();
  }

  private async dial(): Promise<ClientChannel> {
    const session = this.pick();
    session.channels++;
    clearTimeout(session.idle);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      session.channels--;
      if (session.channels === 0 && !session.closed) {
        session.idle = setTimeout(() => this.close(session), IDLE_MS);
        session.idle.unref();
      }
    };
    try {
      await session.ready;
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        try {
          session.client.exec(DIAL, (err, ch) => (err ? reject(err) : resolve(ch)));
        } catch (err) {
          reject(err);
        }
      });
      session.streams.add(channel);
      this.sessionOf.set(channel, session);
      channel.once('close', () => {
        session.streams.delete(channel);
        release();
      });
      asSocket(channel);
      // The docker CLI's complaints (no engine, no docker command) are the only clue; keep the last.
      let stderr = '';
      channel.stderr.on('data', (chunk: Buffer) => {
        stderr = `${stderr}${chunk}`.slice(-500);
      });
      channel.once('exit', (code: number | null) => {
        if (!code) return;
        const err = new Error(
          `ssh: '${DIAL}' on the host exited with ${code}: ${stderr.trim() || 'no output'}`,
        );
        channel.emit('error', Object.assign(err, { code: 'ERR_SSH_DIAL_STDIO' }));
      });
      return channel;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** A session with a free channel, or a new one. */
  private pick(): Session {
    for (const s of this.sessions) if (!s.closed && s.channels < CHANNELS_PER_SESSION) return s;
    return this.open();
  }

  private open(): Session {
    const { Client: SshClient } = require('ssh2') as typeof import('ssh2');
    const client: Client = new SshClient();
    const session: Session = {
      client,
      ready: Promise.resolve(),
      channels: 0,
      streams: new Set(),
      closed: false,
      idle: undefined,
    };
    session.ready = this.connect(session).catch((err: unknown) => {
      this.close(session);
      throw err;
    });
    session.ready.catch(() => {});
    this.sessions.add(session);
    return session;
  }

  /** Reads what the host key check needs (known_hosts), then logs in; a key that fails it ends the handshake. */
  private async connect(session: Session): Promise<void> {
    const check = this.trust ? await this.trust.prepare() : undefined;
    if (session.closed) throw new Error('ssh: the connection closed before it was ready');
    const { client } = session;
    let refused: Error | undefined;
    const config: ConnectConfig = { ...this.config };
    if (check) {
      config.hostVerifier = (key: Buffer) => {
        refused = check.verify(key);
        return refused === undefined;
      };
      if (check.serverHostKey) {
        config.algorithms = {
          ...config.algorithms,
          serverHostKey: check.serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'],
        };
      }
    }
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      // ssh2 says only "Host denied (verification failed)"; the check says which key and why.
      client.on('error', (err) => {
        reject(refused ?? err);
        this.close(session);
      });
      client.once('close', () => {
        reject(refused ?? new Error('ssh: the connection closed before it was ready'));
        this.close(session);
      });
      // ssh2 throws at once for a key it cannot parse (or one with a passphrase).
      client.connect(config);
    });
  }

  private close(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.idle);
    this.sessions.delete(session);
    // Its free channels leave the pool now: the next request must not pick one that is closing.
    const free = this.freeSockets as Record<string, Duplex[] | undefined>;
    for (const [name, sockets] of Object.entries(free)) {
      const kept = sockets?.filter((socket) => !session.streams.has(socket as ClientChannel));
      if (kept?.length) free[name] = kept;
      else delete free[name];
    }
    for (const channel of session.streams) if (!channel.destroyed) channel.destroy();
    session.client.end();
  }
}

/** What http's Agent and ClientRequest call on a net.Socket and a channel lacks: nothing to do here. */
function asSocket(channel: ClientChannel): void {
  const s = channel as unknown as Record<string, unknown>;
  for (const method of ['ref', 'unref', 'setKeepAlive', 'setNoDelay', 'setTimeout']) {
    if (typeof s[method] !== 'function') s[method] = () => channel;
  }
}
