import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Endpoint {
  ip: string;
  port: number;
}

/** Finds the ready endpoints behind one port of a Service, as the Endpoints controller would. */
export type EndpointLookup = (ns: string, service: string, portIndex: number) => Endpoint[];

/**
 * kube-proxy's NodePort part, on the one node (this machine): a TCP listener on each allocated
 * nodePort that splices connections to a ready pod (round robin). The fake's node is this host, so
 * a nodePort some process here already listens on cannot be opened; the Service allocator treats
 * that as allocated (see README).
 */
export class KubeProxy {
  private readonly servers = new Map<number, Server>();
  private turn = 0;

  constructor(private readonly lookup: EndpointLookup) {}

  /** Opens the listener; false when the port is taken on this machine. */
  open(nodePort: number, ns: string, service: string, portIndex: number): Promise<boolean> {
    if (this.servers.has(nodePort)) return Promise.resolve(true);
    const server = createServer((client) => this.splice(client, ns, service, portIndex));
    return new Promise((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(nodePort, '0.0.0.0', () => {
        this.servers.set(nodePort, server);
        resolve(true);
      });
    });
  }

  has(nodePort: number): boolean {
    return this.servers.has(nodePort);
  }

  close(nodePort: number): void {
    this.servers.get(nodePort)?.close();
    this.servers.delete(nodePort);
  }

  closeAll(): void {
    for (const port of [...this.servers.keys()]) this.close(port);
  }

  private splice(client: Socket, ns: string, service: string, portIndex: number): void {
    const endpoints = this.lookup(ns, service, portIndex);
    const target = endpoints[this.turn++ % Math.max(endpoints.length, 1)];
    // No ready endpoint: kube-proxy rejects the connection (iptables REJECT), the client sees a reset.
    if (!target) return void client.destroy();
    const upstream = connect(target.port, target.ip);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  }
}
