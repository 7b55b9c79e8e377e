import { InvalidInput } from '@berth/core';
import type { Command } from '../detection.js';

const IMAGE = /^[a-z0-9][\w./:@-]{0,200}$/;
const STAGE = /^[a-z][a-z0-9-]{0,30}$/;
const ABSOLUTE = /^\/[\w./-]{0,200}$/;
const SOURCE = /^[\w./*@-][\w./*@-]{0,200}$/;
const ENV_KEY = /^[A-Z_][A-Z0-9_]{0,60}$/;
const ENV_VALUE = /^[\w.:/@+,-]{0,200}$/;

/**
 * Writes a Dockerfile one instruction at a time. Commands always use the exec (JSON) form, so a
 * value from the repository can hold any character — a newline included — and still be one
 * argument of one instruction. Everything that cannot be JSON (image names, paths, ENV) is
 * checked against a strict pattern instead, and rejected rather than escaped.
 */
export class DockerfileWriter {
  private readonly lines: string[] = [];

  constructor(private readonly baseImages: Record<string, string> = {}) {}

  comment(text: string): this {
    for (const line of text.split('\n'))
      this.lines.push(`# ${line.replace(/[\u0000-\u001f\u007f]/g, ' ')}`.trimEnd());
    return this;
  }

  blank(): this {
    this.lines.push('');
    return this;
  }

  /** `image` goes through the base-image mapping first, so air-gapped hosts can use their mirror. */
  from(image: string, stage?: string): this {
    const mapped = this.image(image);
    if (stage !== undefined) check(STAGE, stage, 'stage name');
    this.lines.push(`FROM ${mapped}${stage ? ` AS ${stage}` : ''}`);
    return this;
  }

  image(image: string): string {
    return check(IMAGE, this.baseImages[image] ?? image, 'image');
  }

  workdir(path: string): this {
    this.lines.push(`WORKDIR ${check(ABSOLUTE, path, 'directory')}`);
    return this;
  }

  copy(sources: string[], dest: string, opts: { from?: string; chown?: string } = {}): this {
    for (const s of sources) check(SOURCE, s, 'source path');
    const flags = [
      opts.from && `--from=${check(STAGE, opts.from, 'stage')}`,
      opts.chown && `--chown=${check(/^[\w:-]{1,40}$/, opts.chown, 'owner')}`,
    ]
      .filter(Boolean)
      .join(' ');
    const target = dest === './' ? dest : check(ABSOLUTE, dest, 'destination');
    this.lines.push(`COPY ${flags ? `${flags} ` : ''}${JSON.stringify([...sources, target])}`);
    return this;
  }

  env(vars: Record<string, string>): this {
    for (const [key, value] of Object.entries(vars)) {
      this.lines.push(
        `ENV ${check(ENV_KEY, key, 'variable name')}=${check(ENV_VALUE, value, `value of ${key}`)}`,
      );
    }
    return this;
  }

  run(command: Command): this {
    this.lines.push(`RUN ${execForm(command)}`);
    return this;
  }

  /** Shell form, for scripts written in berth's own source only; never pass repository values. */
  runScript(script: string): this {
    if (/[\n\r]/.test(script)) throw new Error('runScript takes one line');
    this.lines.push(`RUN ${script}`);
    return this;
  }

  user(name: string): this {
    this.lines.push(`USER ${check(/^[\w-]{1,32}$/, name, 'user')}`);
    return this;
  }

  expose(port: number): this {
    this.lines.push(`EXPOSE ${checkPort(port)}`);
    return this;
  }

  healthcheck(command: Command): this {
    this.lines.push(
      `HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ${execForm(command)}`,
    );
    return this;
  }

  cmd(command: Command): this {
    this.lines.push(`CMD ${execForm(command)}`);
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** JSON is exactly what Docker parses as the exec form: quotes, backslashes and newlines are escaped. */
export function execForm(command: Command): string {
  if (command.length === 0 || command.some((a) => typeof a !== 'string')) {
    throw new InvalidInput('a command needs at least one argument', { details: { command } });
  }
  return JSON.stringify(command);
}

export function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidInput(`port ${port} is not a TCP port`, { details: { field: 'port', value: port } });
  }
  return port;
}

function check(pattern: RegExp, value: string, what: string): string {
  if (!pattern.test(value)) {
    throw new InvalidInput(`${what} ${JSON.stringify(value)} cannot be written into a Dockerfile`, {
      details: { field: what, value },
    });
  }
  return value;
}
