/**
 * A proxy worker: a child process that serves connections to the proxy port the main process
 * accepted and handed it in turn (nothing read from them yet), and splices them to instances with the same {@link SplicedConnection} code. What it cannot forward itself — a
 * name it has no target for yet, a stopped instance, a node gateway, a head it does not fully
 * understand, an `Authorization` only the main process can judge — it relays, bytes and all, to
 * the main process, which serves it as if the client had connected there (see ProxyWorkers).
 * Started by ProxyWorkers with `fork`; its messages are {@link ToWorker} and {@link FromWorker}.
 */
import { connect, type Socket } from 'node:net';
import type { FromWorker, ToWorker } from './proxy-worker-messages.js';
import { SplicedConnection } from './spliced-connection.js';
import { WorkerTargets } from './worker-targets.js';

const METER_FLUSH_MS = 500;
/** How long a connection waits for the main process to answer a name before it is relayed. */
const ANSWER_WAIT_MS = 1000;

const send = (m: FromWorker) => process.send?.(m);
const targets = new WorkerTargets((key) => send({ t: 'want', key }));
const open = new Set<SplicedConnection>();
let relayPath = '';

/** Requests and bytes in and out per instance since the last flush. */
const counts = new Map<string, [number, number, number]>();
const countOf = (name: string) => {
  const c = counts.get(name);
  if (c) return c;
  const fresh: [number, number, number] = [0, 0, 0];
  counts.set(name, fresh);
  return fresh;
};
const meter = {
  request: (name: string) => {
    countOf(name)[0]++;
  },
  bytes: (name: string, direction: 'in' | 'out', n: number) => {
    countOf(name)[direction === 'in' ? 1 : 2] += n;
  },
};
setInterval(() => {
  if (counts.size === 0) return;
  send({ t: 'meter', counts: [...counts].map(([name, [r, i, o]]) => [name, r, i, o]) });
  counts.clear();
}, METER_FLUSH_MS).unref();

/** The connection goes on in the main process: a line with the client's address, then its bytes. */
function relay(client: Socket): void {
  const main = connect({ path: relayPath, allowHalfOpen: true });
  main.write(`${client.remoteAddress ?? ''}\n`);
  client.pipe(main);
  main.pipe(client);
  const end = () => {
    client.destroy();
    main.destroy();
  };
  client.on('error', end).on('close', end);
  main.on('error', end).on('close', end);
}

/**
 * A connection the splice did not forward: if the worker was still asking the main process for a
 * target (a name it meets for the first time), it tries once more with the answer; else, or the
 * second time, the main process gets it.
 */
const retried = new WeakSet<Socket>();
function handOff(client: Socket): void {
  if (retried.has(client)) {
    relay(client);
    return;
  }
  retried.add(client);
  void targets.answered(ANSWER_WAIT_MS).then(() => {
    if (client.destroyed) return;
    open.add(new SplicedConnection(client, spliceOpts));
    client.resume();
  });
}

const spliceOpts = {
  targets,
  handOff,
  done: (s: SplicedConnection) => open.delete(s),
  maxHeadBytes: 16 * 1024,
  headTimeoutMs: 30_000,
  // Tokens live in the main process: a head with a bearer value that is not `berth_…` goes there.
  isToken: () => undefined,
  meter,
};

/** A client's connection from the main process, configured as its listener's are. */
function serve(socket: Socket): void {
  socket.allowHalfOpen = true;
  socket.setNoDelay(true);
  open.add(new SplicedConnection(socket, spliceOpts));
}

function stop(): void {
  for (const s of open) s.destroy();
  process.exit(0);
}

process.on('message', (m: ToWorker, handle?: unknown) => {
  switch (m.t) {
    case 'hello':
      relayPath = m.relay;
      send({ t: 'ready' });
      break;
    case 'conn':
      if (handle) serve(handle as Socket);
      break;
    case 'target':
      targets.set(m.key, m.target);
      break;
    case 'stop':
      stop();
      break;
  }
});
// The main process is gone: so is this worker (its connections with it).
process.on('disconnect', stop);
