import type { CleanupItemView, CleanupPlanView, CleanupResultView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTable } from '../table.js';

function itemTable(rows: CleanupItemView[]): string {
  return formatTable(rows, [
    { header: 'KIND', value: (i) => i.kind },
    { header: 'WHAT', value: (i) => i.description },
  ]);
}

function planText(p: CleanupPlanView): string {
  if (p.items.length === 0) return 'nothing to clean up';
  return [
    `would remove ${p.items.length} item(s) (berth cleanup --force removes exactly these):`,
    itemTable(p.items),
  ].join('\n');
}

function resultText(r: CleanupResultView): string {
  const lines = [`removed ${r.removed.length} item(s)`];
  for (const f of r.failed) lines.push(`could not remove ${f.description}: ${f.error}`);
  if (r.changed.length > 0)
    lines.push(
      `${r.changed.length} item(s) changed since they were listed and were left alone: ${r.changed.join(', ')}`,
    );
  if (r.notAsked.length > 0)
    lines.push(
      `${r.notAsked.length} item(s) appeared since the list was made and were left alone (run berth cleanup again):`,
      itemTable(r.notAsked),
    );
  return lines.join('\n');
}

/**
 * `berth cleanup [--force]`: what berth would remove — orphaned workloads (running or stopped),
 * folders under BERTH_HOME and port leases of no instance; `--force` removes exactly the list shown.
 */
export function registerCleanupCommand(program: Command): void {
  program
    .command('cleanup')
    .description(
      'show what berth would remove: orphaned workloads, data/log folders and port leases of no instance; --force removes exactly that',
    )
    .option('--force', 'remove the items listed')
    .option('--json', 'print JSON (the list; with --force, the outcome)')
    .action(async (opts, cmd: Command) => {
      const client = clientOf(cmd);
      const plan = await client.get<CleanupPlanView>('/cleanup');
      if (!opts.force) return show(plan, opts.json, planText);
      if (!opts.json) out(planText(plan));
      if (plan.items.length === 0) {
        if (opts.json) show({ removed: [], failed: [], changed: [], notAsked: [] }, true, resultText);
        return;
      }
      const result = await client.post<CleanupResultView>('/cleanup', {
        items: plan.items.map((i) => i.key),
      });
      show(result, opts.json, resultText);
      if (result.failed.length > 0)
        throw new CliError(
          'unprocessable',
          `${result.failed.length} item(s) could not be removed`,
          'CLEANUP_FAILED',
        );
    });
}
