import type { InstanceView, TemplateVersionView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { withProgress } from '../progress.js';
import { formatTable } from '../table.js';
import { details } from './instances.js';

const enc = encodeURIComponent;

const installedText = (v: TemplateVersionView, installed: boolean | null) =>
  installed === null ? 'unknown' : installed ? 'yes' : v.installable ? 'no' : 'no (no install step)';

/** One row per version and node it is looked for on; NOTE says why one is unknown, or what it means. */
export function versionsTable(rows: TemplateVersionView[]): string {
  if (rows.length === 0) return 'This template declares no versions.';
  const lines = rows.flatMap((v) => v.nodes.map((n, i) => ({ v, n, first: i === 0 })));
  return formatTable(lines, [
    { header: 'VERSION', value: ({ v, first }) => (first ? v.name : '') },
    { header: 'RUNS', value: ({ v, first }) => (first ? (v.command ?? v.image ?? '') : '') },
    { header: 'NODE', value: ({ n }) => n.node },
    { header: 'INSTALLED', value: ({ v, n }) => installedText(v, n.installed) },
    { header: 'USED BY', value: ({ v, first }) => (first ? v.usedBy.join(',') || '-' : '') },
    { header: 'NOTE', value: ({ n }) => n.note ?? '' },
  ]);
}

function statusLine(v: TemplateVersionView): string {
  const where = v.dir ? ` in ${v.dir}` : v.image ? ` (${v.image})` : '';
  return `version ${v.name}: installed${where}`;
}

/** `berth versions <template>`, `versions install|remove <template> <version>` and `berth upgrade`. */
export function registerVersionCommands(program: Command): void {
  const versions = program
    .command('versions')
    .description("a template's versions: installed or not, which instances use them; install or remove one")
    .argument('[template]', 'the template whose versions to list')
    .option('--node <node>', 'the node whose images to look at (image templates; default local)')
    .option('--json', 'print JSON')
    .action(async (template: string | undefined, opts, cmd: Command) => {
      if (!template) return out(cmd.helpInformation());
      const query = opts.node ? { node: opts.node } : {};
      const rows = await clientOf(cmd).get<TemplateVersionView[]>(
        `/templates/${enc(template)}/versions`,
        query,
      );
      show(rows, opts.json, versionsTable);
    });

  versions
    .command('install <template> <version>')
    .description(
      "run a version's install step (or pull its image); output goes to its install log and the events",
    )
    .option('--node <node>', 'the node to pull an image version to (default local)')
    .option('--json', 'print JSON')
    .action(async (template: string, version: string, opts, cmd: Command) => {
      const query = opts.node ? { node: opts.node } : {};
      const v = await withProgress(
        `Installing version ${version} of ${template}…`,
        clientOf(cmd).post<TemplateVersionView>(
          `/templates/${enc(template)}/versions/${enc(version)}/install`,
          undefined,
          query,
        ),
      );
      show(v, opts.json, statusLine);
    });

  versions
    .command('remove <template> <version>')
    .alias('rm')
    .description('delete an installed version (its folder or image tag); refused while an instance uses it')
    .option('--node <node>', 'the node to remove an image version from (default local)')
    .action(async (template: string, version: string, opts, cmd: Command) => {
      const query = opts.node ? { node: opts.node } : {};
      await clientOf(cmd).delete(`/templates/${enc(template)}/versions/${enc(version)}`, query);
      out(`removed version ${version} of ${template}`);
    });

  program
    .command('upgrade <name>')
    .description(
      'run another version of the template: an edit of the version, applied now (installed first if it is not); `berth rollback` goes back',
    )
    .requiredOption('--version <version>', 'the version to run')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const inst = await withProgress(
        `Upgrading ${name} to ${opts.version}…`,
        clientOf(cmd).patch<InstanceView>(
          `/instances/${enc(name)}`,
          { version: opts.version },
          { apply: 1, wait: 1 },
        ),
      );
      show(inst, opts.json, details);
    });
}
