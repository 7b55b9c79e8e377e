import { readFileSync } from 'node:fs';

/** berth's version, from this package's package.json. */
export const BERTH_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
