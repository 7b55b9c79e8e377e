import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ReloadResult, TemplateView } from '@berth/contracts';
import { parseTemplate } from '@berth/core';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { CliError, isPortConflict } from '../cli-error.js';
import { formatTable } from '../table.js';

const enc = encodeURIComponent;

export function registerTemplateCommands(program: Command): void {
  const templates = program
    .command('templates')
    .alias('template')
    .description('list, show, add and remove templates');

  templates
    .command('ls')
    .alias('list')
    .description('list templates')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<TemplateView[]>('/templates');
      show(rows, opts.json, (r) =>
        r.length === 0
          ? 'No templates.'
          : formatTable(r, [
              { header: 'NAME', value: (t) => t.template.name },
              { header: 'SOURCE', value: (t) => t.template.source.kind },
              { header: 'PORTS', value: (t) => t.template.ports.map((p) => p.name).join(',') || '-' },
              { header: 'ORIGIN', value: (t) => t.origin },
            ]),
      );
    });

  templates
    .command('show <name>')
    .description('show one template')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const t = await clientOf(cmd).get<TemplateView>(`/templates/${enc(name)}`);
      show(t, opts.json, (v) => `# origin: ${v.origin}\n${JSON.stringify(v.template, null, 2)}`);
    });

  templates
    .command('add <file>')
    .description('add a template from a YAML or JSON file (--replace to update one)')
    .option('--replace', 'replace a template of the same name')
    .action(async (file: string, opts, cmd: Command) => {
      const text = await readFile(file, 'utf8').catch((e: Error) => {
        throw new CliError('invalid', `cannot read ${file}: ${e.message}`);
      });
      const template = parseTemplate(text, basename(file));
      const api = clientOf(cmd);
      try {
        await api.post('/templates', template);
        out(`added template ${template.name}`);
      } catch (e) {
        if (!opts.replace || !(e instanceof CliError) || e.code !== 'NAME_TAKEN' || isPortConflict(e))
          throw e;
        await api.put(`/templates/${enc(template.name)}`, template);
        out(`replaced template ${template.name}`);
      }
    });

  templates
    .command('rm <name>')
    .alias('remove')
    .description('remove a template (refused while it has instances)')
    .action(async (name: string, _opts, cmd: Command) => {
      await clientOf(cmd).delete(`/templates/${enc(name)}`);
      out(`removed template ${name}`);
    });

  templates
    .command('reload')
    .description('re-read the templates folder')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const r = await clientOf(cmd).post<ReloadResult>('/templates/reload');
      show(r, opts.json, (v) =>
        [
          `added ${v.added.length}, updated ${v.updated.length}, unchanged ${v.unchanged.length}, removed ${v.removed.length}`,
          ...v.problems.map((p) => `skipped ${p.path}: ${p.message}`),
        ].join('\n'),
      );
    });
}
