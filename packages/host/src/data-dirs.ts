import { mkdirSync } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InvalidInput, NotAllowed } from '@berth/core';

/** A single path segment berth may create: no separators, not `.`/`..`, not empty. */
function segment(kind: string, value: string): string {
  if (!value || value === '.' || value === '..' || /[/\\\0]/.test(value)) {
    throw new InvalidInput(`${kind} '${value}' cannot be used as a folder name`);
  }
  return value;
}

/**
 * Folders berth owns under its home:
 * - instance data: `<home>/instances/<template>/<instance>/`
 * - instance logs: `<home>/logs/<instance-id>/` (outside the data dir, so wiping or mounting the
 *   data never touches the logs, and logs survive a rename of the instance)
 * Removal refuses anything not strictly inside home, and any path that passes through a symlink.
 */
export class DataDirs {
  readonly home: string;

  constructor(home: string) {
    this.home = resolve(home);
  }

  instanceDir(template: string, instance: string): string {
    return join(this.home, 'instances', segment('template', template), segment('instance', instance));
  }

  logDir(instanceId: string): string {
    return join(this.home, 'logs', segment('instance id', instanceId));
  }

  async ensure(dir: string): Promise<string> {
    const path = this.inside(dir);
    // Synchronous: microseconds, where a thread-pool round trip took milliseconds in a burst of deploys.
    mkdirSync(path, { recursive: true });
    return path;
  }

  async createInstanceDir(template: string, instance: string): Promise<string> {
    return this.ensure(this.instanceDir(template, instance));
  }

  async createLogDir(instanceId: string): Promise<string> {
    return this.ensure(this.logDir(instanceId));
  }

  /**
   * Removes `dir` recursively. Refuses a path outside home (or home itself) and a path whose
   * folders below home include a symlink; a symlink as the last part is removed as a link only.
   */
  async remove(dir: string): Promise<void> {
    if (await this.checkRemovable(dir)) await rm(this.inside(dir), { recursive: true, force: true });
  }

  /**
   * What `remove` would refuse, without removing anything: throws NotAllowed for a path outside
   * home or through a symlink below home; resolves false when the folder is already gone.
   */
  async checkRemovable(dir: string): Promise<boolean> {
    const path = this.inside(dir);
    const parts = relative(this.home, path).split(sep);
    let current = this.home;
    for (const [i, part] of parts.entries()) {
      current = join(current, part);
      const st = await lstat(current).catch(() => undefined);
      if (!st) return false; // already gone
      if (st.isSymbolicLink() && i < parts.length - 1) {
        throw new NotAllowed(`refusing to remove ${path}: ${current} is a symbolic link`, {
          code: 'UNSAFE_PATH',
        });
      }
    }
    return true;
  }

  /** The resolved path when it lies strictly inside home; NotAllowed otherwise. */
  inside(dir: string): string {
    const path = resolve(this.home, dir);
    const rel = relative(this.home, path);
    if (!rel || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new NotAllowed(`refusing to touch ${path}: it is not inside ${this.home}`, {
        code: 'UNSAFE_PATH',
      });
    }
    return path;
  }
}
