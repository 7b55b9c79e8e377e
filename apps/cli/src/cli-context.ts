import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { clientToken, type GlobalOptions, serverUrl } from './client-options.js';
import { canPrompt } from './prompt.js';

/** The API client for a command, from `--server`/`--token`, BERTH_URL/BERTH_TOKEN or BERTH_HOME. */
export function clientOf(cmd: Command): ApiClient {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  return new ApiClient(serverUrl(globals), clientToken(globals));
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** `--json` prints the data as JSON; otherwise `human` formats it for people. */
export function show<T>(data: T, json: boolean | undefined, human: (data: T) => string): void {
  out(json ? JSON.stringify(data, null, 2) : human(data));
}

export { canPrompt };
