import { execFile } from 'node:child_process';
import type { Listener, ListenerProbe, Logger } from '@berth/core';
import { silentLogger } from '@berth/core';
import { readProcNetListeners } from './proc-net-listeners.js';
import { parseSsOutput } from './ss-output.js';

/**
 * Listeners of this machine from the kernel's socket table via `ss -ltnupH` (with owners where
 * visible); falls back to /proc/net when `ss` is not installed.
 */
export class SsListenerProbe implements ListenerProbe {
  private ssMissing = false;

  constructor(
    private readonly log: Logger = silentLogger,
    private readonly command = 'ss',
  ) {}

  async listeners(): Promise<Listener[]> {
    if (this.ssMissing) return readProcNetListeners();
    try {
      return parseSsOutput(await this.runSs());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.log.info({ command: this.command }, 'ss is not installed; reading /proc/net instead');
      this.ssMissing = true;
      return readProcNetListeners();
    }
  }

  private runSs(): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.command, ['-ltnupH'], { maxBuffer: 64 * 1024 * 1024, timeout: 10_000 }, (err, out) =>
        err ? reject(err) : resolve(out),
      );
    });
  }
}
