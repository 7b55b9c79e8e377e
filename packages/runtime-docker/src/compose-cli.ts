import { execFile } from 'node:child_process';
import { type Logger, RuntimeUnavailable, Unprocessable } from '@berth/core';

/** A way to run compose: `docker compose` (v2 plugin) or `docker-compose` (v1). */
export interface ComposeCandidate {
  command: string;
  prefix: string[];
}

export const composeCandidates: ComposeCandidate[] = [
  { command: 'docker', prefix: ['compose'] },
  { command: 'docker-compose', prefix: [] },
];

export interface ComposeRunOptions {
  /** The CLI's whole environment; absent, it inherits berth's. */
  env?: NodeJS.ProcessEnv | undefined;
  /** What the call does, for messages (`up of project berth-web-1`). */
  what?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

interface ExecResult {
  stdout: string;
  stderr: string;
}

function exec(command: string, args: string[], opts: ComposeRunOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        env: opts.env,
        maxBuffer: 16 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 0,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (err, stdout, stderr) =>
        err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }),
    );
  });
}

const UNREACHABLE =
  /couldn't connect to docker daemon|cannot connect to the docker daemon|connection refused|no route to host|i\/o timeout/i;

/** The compose CLI found on this machine; every call is an argument array, never a shell string. */
export class ComposeCli {
  constructor(
    readonly command: string,
    readonly prefix: string[],
    /** `2.29.1`, `1.29.2`. */
    readonly version: string,
  ) {}

  /** The first candidate whose `version --short` answers; each one that does not says why in the log. */
  static async find(
    log: Logger,
    candidates = composeCandidates,
    env?: NodeJS.ProcessEnv,
  ): Promise<ComposeCli | undefined> {
    for (const c of candidates) {
      const shown = [c.command, ...c.prefix].join(' ');
      try {
        const { stdout } = await exec(c.command, [...c.prefix, 'version', '--short'], {
          ...(env ? { env } : {}),
          timeoutMs: 15_000,
        });
        const version = stdout.trim().replace(/^v/, '');
        log.debug({ cli: shown, version }, `compose CLI: ${shown} ${version}`);
        return new ComposeCli(c.command, c.prefix, version);
      } catch (err) {
        log.debug({ cli: shown }, `compose CLI '${shown}' does not apply: ${firstLine(err)}`);
      }
    }
    return undefined;
  }

  get name(): string {
    return [this.command, ...this.prefix].join(' ');
  }

  /** Runs `<cli> <args>`; a failure says what compose printed, an engine it cannot reach is RuntimeUnavailable. */
  async run(args: string[], opts: ComposeRunOptions): Promise<string> {
    try {
      return (await exec(this.command, [...this.prefix, ...args], opts)).stdout;
    } catch (err) {
      opts.signal?.throwIfAborted();
      const output = lastLines((err as { stderr?: string }).stderr ?? '') || firstLine(err);
      const what = `${this.name} ${opts.what ?? args.join(' ')}`;
      if ((err as { code?: unknown }).code === 'ENOENT') {
        throw new RuntimeUnavailable(`${this.name} is not installed`, { cause: err });
      }
      if (UNREACHABLE.test(output)) {
        throw new RuntimeUnavailable(`${what} cannot reach the Docker engine: ${output}`, { cause: err });
      }
      throw new Unprocessable(`${what} failed: ${output}`, { code: 'COMPOSE_FAILED', cause: err });
    }
  }
}

/**
 * The compose CLI looked for without waiting: the search starts at once and runs beside the rest of
 * berth's start (`docker-compose version` alone, Python, took 1 s of it here). Compose calls wait
 * for it; once it ended with none, compose templates cannot run (`mayExist` is false).
 */
export class ComposeCliSearch {
  readonly found: Promise<ComposeCli | undefined>;
  private none = false;

  constructor(log: Logger, candidates = composeCandidates, env?: NodeJS.ProcessEnv) {
    this.found = ComposeCli.find(log, candidates, env).then((cli) => {
      this.none = cli === undefined;
      if (cli) log.info({ cli: cli.name, version: cli.version }, `compose CLI: ${cli.name} ${cli.version}`);
      else log.info({}, 'No compose CLI (docker compose or docker-compose): compose templates cannot run');
      return cli;
    });
  }

  /** Until the search ends, a CLI may still be found. */
  mayExist(): boolean {
    return !this.none;
  }

  /** The CLI, once found; RuntimeUnavailable when there is none. */
  async get(): Promise<ComposeCli> {
    const cli = await this.found;
    if (!cli) throw new RuntimeUnavailable(NO_COMPOSE_CLI);
    return cli;
  }
}

export const NO_COMPOSE_CLI = 'no compose CLI (docker compose or docker-compose) on this machine';

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** The last few meaningful lines compose printed (it reports progress on stderr too). */
function lastLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
