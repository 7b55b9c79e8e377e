import { connect, type Socket } from 'node:net';
import type Dockerode from 'dockerode';

/**
 * Resolves when the engine accepts a new connection; rejects with the connection's error
 * (ECONNREFUSED…) when it does not. A Docker engine that is shutting down closes its listeners
 * first, then stops its containers while still answering on connections already open — so a
 * container seen exited over a kept-alive connection may be the engine going away, and only a new
 * connection tells. ssh endpoints dial the engine anew per channel, so a ping says it there.
 */
export async function engineListening(docker: Dockerode, signal: AbortSignal): Promise<void> {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown; port?: unknown; agent?: unknown };
  if (modem.agent) {
    // dockerode takes an abortSignal here; its types do not say so.
    await (docker.ping as (opts: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal: signal });
    return;
  }
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
