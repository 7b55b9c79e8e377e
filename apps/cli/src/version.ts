import { readFileSync } from 'node:fs';

/** The CLI's version, from its package.json (read here so commands need not load the server). */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
