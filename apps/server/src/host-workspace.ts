import type { Workspace } from '@berth/core';
import { DataDirs } from '@berth/host';

/** core's Workspace on the host package's DataDirs (folders strictly inside BERTH_HOME). */
export class HostWorkspace implements Workspace {
  private readonly dirs: DataDirs;

  constructor(home: string) {
    this.dirs = new DataDirs(home);
  }

  instanceDir(template: string, instance: string): string {
    return this.dirs.instanceDir(template, instance);
  }

  logDir(instanceId: string): string {
    return this.dirs.logDir(instanceId);
  }

  async create(dir: string): Promise<void> {
    await this.dirs.ensure(dir);
  }

  remove(dir: string): Promise<void> {
    return this.dirs.remove(dir);
  }

  async checkRemovable(dir: string): Promise<void> {
    await this.dirs.checkRemovable(dir);
  }
}
