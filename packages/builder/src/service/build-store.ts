import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedChain } from '@berth/core';
import type { BuildRecord } from './build-record.js';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * Build records as `BERTH_HOME/builds/<id>/build.json`, beside the files of the build they
 * describe: removing the folder removes the record. Each write goes to a temporary file that is
 * renamed over the old one, so a crash leaves the previous record, never half of one.
 */
export class JsonBuildStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    if (!ID.test(id)) throw new Error(`not a build id: ${id}`);
    return join(this.root, id);
  }

  /** A record's saves are written one after another. */
  private readonly writing = new KeyedChain();
  private writes = 0;

  /**
   * Writes the record; saves of one record are written in the order they were asked for, each
   * through its own temporary file (two at once shared one name, and the second rename failed).
   */
  async save(record: BuildRecord): Promise<void> {
    const dir = this.dir(record.id);
    const text = `${JSON.stringify(record, null, 2)}\n`;
    await this.writing.run(record.id, async () => {
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'build.json');
      const tmp = `${file}.${process.pid}.${++this.writes}.tmp`;
      await writeFile(tmp, text, { mode: 0o600 });
      await rename(tmp, file);
    });
  }

  async find(id: string): Promise<BuildRecord | undefined> {
    if (!ID.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.root, id, 'build.json'), 'utf8')) as BuildRecord;
    } catch {
      return undefined;
    }
  }

  /** Every record, newest first; folders without a readable record are skipped. */
  async list(): Promise<BuildRecord[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const found = await Promise.all(names.map((n) => this.find(n)));
    return found.filter((r): r is BuildRecord => r !== undefined).sort((a, b) => b.createdAt - a.createdAt);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }
}
