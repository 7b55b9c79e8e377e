import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTemplate, type TemplateFile } from '@berth/core';

const TEMPLATE_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads and parses every template file in the folder (creating the folder if missing). Any bad
 * file throws core's InvalidInput naming the file, the field and the reason, before anything
 * is written.
 */
export async function readTemplateFolder(dir: string): Promise<TemplateFile[]> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((n) => TEMPLATE_FILE.test(n)).sort();
  return Promise.all(
    names.map(async (n) => {
      const path = join(dir, n);
      return { path, template: parseTemplate(await readFile(path, 'utf8'), path) };
    }),
  );
}
