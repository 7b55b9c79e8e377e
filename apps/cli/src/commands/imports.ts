import { readFile } from 'node:fs/promises';
import type { LegacyImportResult, RegistryImportResult } from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiBody } from '../api-paths.js';
import { clientOf, show } from '../cli-context.js';

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

export function registerImportCommands(program: Command): void {
  const imports = program
    .command('import')
    .description("bring in the earlier system's settings and registry");

  imports
    .command('settings <file>')
    .description(
      'docker_*/portainer_*/komodo_* settings (a JSON object) → default integrations; safe to repeat',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts, cmd: Command) => {
      const r = await clientOf(cmd).post<LegacyImportResult>(
        '/import/legacy-settings',
        // The file's JSON as it is: the server checks its shape and names what is wrong.
        (await readJson(file)) as ApiBody<'post', '/import/legacy-settings'>,
      );
      show(r, opts.json, (v) =>
        [
          ...v.created.map((c) => `created ${c.type} integration '${c.name}'`),
          ...v.skipped.map((s) => `skipped ${s.type}: ${s.reason}`),
          v.backup ? `database copied to ${v.backup} first` : 'nothing new to import',
        ].join('\n'),
      );
    });

  imports
    .command('registry <file>')
    .description(
      'a service_registry.json → stopped instances holding their old ports (an old container still running is taken over); safe to repeat',
    )
    .option('--json', 'print JSON')
    .action(async (file: string, opts, cmd: Command) => {
      const r = await clientOf(cmd).post<RegistryImportResult>(
        '/import/service-registry',
        await readJson(file),
      );
      show(r, opts.json, (v) =>
        [
          ...v.imported.map((i) => `imported ${i.name} (${i.template}, port ${i.port})`),
          ...v.adopted.map(
            (a) =>
              `adopted ${a.name} (${a.template}, port ${a.port}): running container ${a.container}, not started again`,
          ),
          ...v.skipped.map((s) => `skipped ${s.name}: ${s.reason}`),
          v.imported.length + v.adopted.length + v.skipped.length === 0 ? 'the registry is empty' : '',
        ]
          .filter((l) => l !== '')
          .join('\n'),
      );
    });
}
