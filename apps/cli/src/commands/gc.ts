import type { GcResultView, OrphanView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTable } from '../table.js';

function orphanTable(rows: OrphanView[]): string {
  return formatTable(rows, [
    { header: 'NODE', value: (o) => o.node },
    { header: 'RUNTIME', value: (o) => o.runtime },
    { header: 'KIND', value: (o) => o.kind },
    { header: 'NAME', value: (o) => o.name ?? o.id.slice(0, 12) },
    { header: 'INSTANCE', value: (o) => o.instanceName ?? '' },
    { header: 'RUNNING', value: (o) => (o.running ? 'yes' : 'no') },
  ]);
}

function gcText(r: GcResultView): string {
  if (r.removed.length === 0 && r.failed.length === 0) return 'no orphans';
  const head = r.dryRun
    ? `would remove ${r.removed.length} orphan(s):`
    : `removed ${r.removed.length} orphan(s):`;
  const failed = r.failed.map((f) => `could not remove ${f.name ?? f.id}: ${f.error}`);
  return [head, orphanTable(r.removed), ...failed].join('\n');
}

/** `berth orphans`, `berth gc [--dry-run]`: workloads with this berth's labels and no record. */
export function registerGcCommands(program: Command): void {
  program
    .command('orphans')
    .description("list workloads that carry this berth's labels but belong to no instance")
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<OrphanView[]>('/orphans');
      show(rows, opts.json, (r) => (r.length === 0 ? 'no orphans' : orphanTable(r)));
    });
  program
    .command('gc')
    .description("remove orphans (only workloads with this berth's labels and no record)")
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const result = await clientOf(cmd).post<GcResultView>('/gc', { dryRun: opts.dryRun === true });
      show(result, opts.json, gcText);
      if (result.failed.length > 0) {
        throw new CliError(
          'unprocessable',
          `${result.failed.length} orphan(s) could not be removed`,
          'GC_FAILED',
        );
      }
    });
}
