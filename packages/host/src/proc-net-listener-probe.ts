import type { Listener } from '@berth/core';
import type { OwnerNamingProbe } from './local-listener-source.js';
import { isListening, localSocketTable, type ProcNetSocketTable, toListener } from './proc-net-sockets.js';
import { findSocketOwners } from './socket-owners.js';

/** A listener read from /proc/net, with the socket inode that leads to its owner. */
export interface ProcListener extends Listener {
  inode: number;
}

/**
 * This machine's listeners from /proc/net (no `ss` spawn, no walk of every process's fds), and
 * their owners only when asked, through the socket inodes in /proc/<pid>/fd.
 */
export class ProcNetListenerProbe implements OwnerNamingProbe {
  constructor(
    private readonly table: ProcNetSocketTable = localSocketTable,
    private readonly procRoot = '/proc',
  ) {}

  async listeners(): Promise<ProcListener[]> {
    return (await this.table.read()).filter(isListening).map((s) => ({ ...toListener(s), inode: s.inode }));
  }

  async owners(listeners: Listener[]): Promise<Listener[]> {
    const inodeOf = (l: Listener) => (l as Partial<ProcListener>).inode ?? 0;
    const found = await findSocketOwners(listeners.filter((l) => l.pid === null).map(inodeOf), this.procRoot);
    return listeners.map((l) => {
      const owner = l.pid === null ? found.get(inodeOf(l)) : undefined;
      return owner ? { ...l, pid: owner.pid, process: owner.process } : l;
    });
  }
}
