import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeTemplate, type TemplateFile, userMessage } from '@berth/core';
import { pathAccessible } from '@berth/host';

const COMPOSE_FILE = /\.ya?ml$/i;

export interface ComposeFolder {
  files: TemplateFile[];
  /** Files that are not usable compose files, each with the reason; they are left out. */
  problems: { path: string; message: string }[];
}

/**
 * Every compose file of `dir` as a template (the seed's compose service registry): one template
 * per file, named after it, with `<name>.env` beside it as its env file when present. The folder
 * is created when missing.
 */
export async function readComposeFolder(dir: string): Promise<ComposeFolder> {
  await mkdir(dir, { recursive: true });
  const names = (await readdir(dir)).filter((n) => COMPOSE_FILE.test(n)).sort();
  const out: ComposeFolder = { files: [], problems: [] };
  for (const name of names) {
    const path = join(dir, name);
    try {
      const template = composeTemplate(await readFile(path, 'utf8'), path, name);
      const envFile = name.replace(COMPOSE_FILE, '.env');
      if (template.source.kind === 'compose' && (await pathAccessible(join(dir, envFile)))) {
        template.source.envFile = envFile;
      }
      out.files.push({ path, template });
    } catch (err) {
      out.problems.push({ path, message: userMessage(err) });
    }
  }
  return out;
}
