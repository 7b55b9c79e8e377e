import { Agent, type ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';

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

  constructor(private readonly config: ConnectConfig) {
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  /** A channel is no net.Socket: it has no TCP keepalive or ref to set; it closes when unused a while. */
  override keepSocketAlive(socket: Duplex): boolean {
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
      channel.once('close', release);
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
    const client = new Client();
    const session: Session = {
      client,
      ready: Promise.resolve(),
      channels: 0,
      closed: false,
      idle: undefined,
    };
    session.ready = new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.on('error', (err) => {
        reject(err);
        this.close(session);
      });
      client.once('close', () => {
        reject(new Error('ssh: the connection closed before it was ready'));
        this.close(session);
      });
    });
    session.ready.catch(() => {});
    this.sessions.add(session);
    try {
      client.connect(this.config);
    } catch (err) {
      // ssh2 throws at once for a key it cannot parse (or one with a passphrase).
      session.ready = Promise.reject(err);
      session.ready.catch(() => {});
      this.close(session);
    }
    return session;
  }

  private close(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.idle);
    this.sessions.delete(session);
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
