import type { ApiBody } from '../api-paths.js';
import { CliError } from '../cli-error.js';

export interface DeployFlags {
  name?: string;
  db: string[];
  port?: string;
  stack?: string;
  start?: string;
  healthPath?: string;
  app?: string;
}

/** `POST /builds`' body as the API document states it. */
export type DeployBody = ApiBody<'post', '/builds'>;
type Overrides = NonNullable<DeployBody['overrides']>;

/**
 * The `POST /builds` body from `berth deploy`'s flags. The server checks the words of `--stack` and
 * `--db` (naming the field), so they are passed on as they were typed.
 */
export function deployBody(source: string, f: DeployFlags): DeployBody {
  const overrides: Overrides = {
    ...(f.port !== undefined ? { port: portFlag(f.port) } : {}),
    ...(f.stack ? { stack: f.stack as Overrides['stack'] } : {}),
    ...(f.start ? { start: startFlag(f.start) } : {}),
    ...(f.healthPath ? { healthPath: f.healthPath } : {}),
    ...(f.app ? { app: f.app } : {}),
  };
  return {
    source,
    ...(f.name ? { name: f.name } : {}),
    ...(f.db.length > 0 ? { databases: (f.db.includes('none') ? [] : f.db) as DeployBody['databases'] } : {}),
    ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
  };
}

function portFlag(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new CliError('invalid', `--port must be a port number (1–65535), got '${raw}'`);
  return port;
}

/** `--start '["node","app.js"]'` as it is, or `--start "node app.js"` split on spaces (no shell). */
function startFlag(raw: string): string[] {
  if (raw.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new CliError('invalid', '--start is not a JSON array of strings');
    }
    if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== 'string'))
      throw new CliError('invalid', '--start is not a JSON array of strings');
    return parsed as string[];
  }
  const args = raw.trim().split(/\s+/).filter(Boolean);
  if (args.length === 0) throw new CliError('invalid', '--start is empty');
  return args;
}
