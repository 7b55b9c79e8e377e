import type { Listener, Protocol } from '@berth/core';
import type { OwnerNamingProbe } from './local-listener-source.js';
import { isListening, localSocketTable, type ProcNetSocketTable, toListener } from './proc-net-sockets.js';
import { findSocketOwners } from './socket-owners.js';

/**
 * This machine's listeners from /proc/net (no `ss` spawn, no walk of every process's fds), and
 * their owners only when asked: the socket inodes of those ports, found in /proc/<pid>/fd.
 */
export class ProcNetListenerProbe implements OwnerNamingProbe {
  constructor(
    private readonly table: ProcNetSocketTable = localSocketTable,
    private readonly procRoot = '/proc',
  ) {}

  async listeners(): Promise<Listener[]> {
    return (await this.table.read()).filter(isListening).map(toListener);
  }

  async ports(): Promise<{ protocol: Protocol; port: number }[]> {
    const { tcpListening, udpListening } = await this.table.ports();
    const of = (protocol: Protocol) => (port: number) => ({ protocol, port });
    return [...tcpListening.map(of('tcp')), ...udpListening.map(of('udp'))];
  }

  async owners(ports: { protocol: Protocol; port: number }[]): Promise<Listener[]> {
    const wanted = new Set(ports.map((p) => `${p.protocol}/${p.port}`));
    const sockets = (await this.table.read()).filter(
      (s) => isListening(s) && wanted.has(`${s.protocol}/${s.port}`),
    );
    const found = await findSocketOwners(
      sockets.map((s) => s.inode),
      this.procRoot,
    );
    return sockets.map((s) => {
      const owner = found.get(s.inode);
      return owner ? { ...toListener(s), pid: owner.pid, process: owner.process } : toListener(s);
    });
  }
}
