import { connect, type Socket } from 'node:net';
import type Dockerode from 'dockerode';

/**
 * Resolves when the engine accepts a new connection; rejects with the connection's error
 * (ECONNREFUSED…) when it does not. A Docker engine that is shutting down closes its listeners
 * first, then stops its containers while still answering on connections already open — so a
 * container seen exited over a kept-alive connection may be the engine going away, and only a new
 * connection tells. ssh endpoints dial the engine anew per request, so there the read itself tells.
 */
export async function engineListening(docker: Dockerode, signal: AbortSignal): Promise<void> {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown; agent?: unknown };
  // Over ssh every request is a channel that dials the engine anew, so the read that saw the
  // container stopped already came through a new connection: asking again only adds an ssh round
  // trip (which on a busy machine outlasted the read deadline and made a stopped instance look
  // unreachable).
  if (modem.agent) return;
  const socket =
    typeof modem.socketPath === 'string' && modem.socketPath !== ''
      ? connect(modem.socketPath)
      : connect(Number(modem.port), String(modem.host));
  await opened(socket, signal);
}

function opened(socket: Socket, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () => done(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}
