import { spawn } from 'node:child_process';
import { appendFile, constants, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { InstallJob, VersionFolders } from '@berth/core';
import { DataDirs } from './data-dirs.js';
import { pathAccessible } from './path-access.js';

/** Written last, once the install step succeeded: only a folder with it counts as installed. */
export const INSTALLED_MARKER = '.berth-installed';

/** What an install step inherits from berth's own environment: a shell's basics and the proxies a download needs. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL'];
const PROXIES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...INHERITED, ...PROXIES]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** How many of the output's last lines a failure's reason quotes. */
const TAIL = 5;

/**
 * Versions of command templates under `<home>/versions/<template>/<version>/`, each with its
 * install log beside it (`<version>.install.log`). An install runs its step in an emptied folder
 * and writes the marker last; a failed one takes the folder away, so nothing half-installed is
 * ever seen as installed (a crash mid-install leaves a folder without the marker, which the next
 * install empties first).
 */
export class HostVersionFolders implements VersionFolders {
  private readonly dirs: DataDirs;

  constructor(
    home: string,
    /** The install step's environment before berth's own variables (and PATH, where a program is looked for). */
    private readonly env: Record<string, string> = inheritedEnv(),
  ) {
    this.dirs = new DataDirs(home);
  }

  dirOf(template: string, version: string): string {
    return join(this.root(template), safe(version));
  }

  logOf(template: string, version: string): string {
    return join(this.root(template), `${safe(version)}.install.log`);
  }

  async isInstalled(template: string, version: string): Promise<boolean> {
    return exists(join(this.dirOf(template, version), INSTALLED_MARKER));
  }

  async install(job: InstallJob): Promise<void> {
    const dir = this.dirOf(job.template, job.version);
    await this.dirs.remove(dir);
    await this.dirs.ensure(dir);
    const log = this.logOf(job.template, job.version);
    await appendFile(log, `--- install ${new Date().toISOString()}: ${job.command.join(' ')}\n`);
    try {
      await this.run(job, dir, log);
      await writeFile(join(dir, INSTALLED_MARKER), `${new Date().toISOString()}\n`);
    } catch (err) {
      await this.dirs.remove(dir);
      throw err;
    }
  }

  async remove(template: string, version: string): Promise<void> {
    await this.dirs.remove(this.dirOf(template, version));
  }

  async hasProgram(command: string): Promise<boolean> {
    if (isAbsolute(command) || command.includes('/')) return executable(command);
    for (const dir of (this.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      if (await executable(join(dir, command))) return true;
    }
    return false;
  }

  private root(template: string): string {
    return join(this.dirs.home, 'versions', safe(template));
  }

  /** The step as an argument array, its output line by line to the log and the job; rejects on a non-zero exit. */
  private run(job: InstallJob, dir: string, log: string): Promise<void> {
    const [program, ...args] = job.command;
    const tail: string[] = [];
    let writes = Promise.resolve();
    const take = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL) tail.shift();
      job.onLine(line);
      writes = writes.then(() => appendFile(log, `${line}\n`)).catch(() => undefined);
    };
    return new Promise<void>((resolve, reject) => {
      const child = spawn(program!, args, {
        cwd: dir,
        env: {
          ...this.env,
          BERTH_VERSION_DIR: dir,
          BERTH_TEMPLATE: job.template,
          BERTH_VERSION: job.version,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      lines(child.stdout, take);
      lines(child.stderr, take);
      child.on('error', (err) => reject(new Error(`could not run '${program}': ${err.message}`)));
      child.on('close', (code, signal) => {
        void writes.then(() => {
          if (code === 0) return resolve();
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          const last = tail.length > 0 ? `: ${tail.join(' | ')}` : '';
          reject(new Error(`the install step ${how}${last}`));
        });
      });
    });
  }
}

/** Splits a stream into lines (the last one told even without a newline). */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) onLine(p.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
  });
}

function safe(segment: string): string {
  if (!segment || segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
    throw new Error(`'${segment}' cannot be used as a folder name`);
  }
  return segment;
}

const exists = (path: string) => pathAccessible(path);
const executable = (path: string) => pathAccessible(path, constants.X_OK);
