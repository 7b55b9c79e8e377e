import type { Server } from 'node:http';

/** Listens on 127.0.0.1 at the first free port in [from, to] (berth's fixtures use 14400–14999). */
export async function listenInRange(server: Server, from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      const onError = () => resolve(false);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve(true);
      });
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}
