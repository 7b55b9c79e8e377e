import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiskUsage } from '@berth/core';

/**
 * Bytes allocated under a directory (like `du -s`), walked without following symlinks and with a
 * bounded number of entries so a huge tree cannot stall the sampler. The sampler caches results.
 */
export class DuDiskUsage implements DiskUsage {
  constructor(private readonly maxEntries = 200_000) {}

  async bytes(dir: string): Promise<number | null> {
    let total = 0;
    let seen = 0;
    const stack = [dir];
    try {
      while (stack.length > 0) {
        const d = stack.pop()!;
        const entries = await readdir(d, { withFileTypes: true });
        for (const e of entries) {
          if (++seen > this.maxEntries) return total;
          const p = join(d, e.name);
          if (e.isDirectory()) stack.push(p);
          else if (e.isFile()) total += (await lstat(p)).blocks * 512;
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return total === 0 ? null : total;
      throw err;
    }
    return total;
  }
}
