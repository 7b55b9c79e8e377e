import type { BulkActionBody, BulkActionResponse, InstanceView } from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { canPrompt, clientOf, err, out } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { withProgress } from '../progress.js';
import { ask } from '../prompt.js';
import { keyValues } from './instances.js';

export type BulkAction = BulkActionBody['action'];

/** The selector flags every bulk-capable command takes. */
export interface SelectorFlags {
  template?: string;
  all?: boolean;
  label: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds `--template`, `--all` and `--label` to a command that acts on one instance or several. */
export function withSelectors(cmd: Command): Command {
  return cmd
    .option('--template <name>', 'every instance of this template')
    .option('--all', 'every instance')
    .option(
      '--label <key=value>',
      'every instance with this label (repeatable: all must match)',
      collect,
      [],
    );
}

/** Whether the command names more than one instance, or names them by a selector. */
export function isBulk(names: string[], o: SelectorFlags): boolean {
  return names.length !== 1 || o.template !== undefined || Boolean(o.all) || o.label.length > 0;
}

/** The request's selector from the arguments and flags: exactly one, or a usage error. */
export function selectorOf(names: string[], o: SelectorFlags): Omit<BulkActionBody, 'action'> {
  const given = [
    names.length > 0 && 'names',
    o.template !== undefined && '--template',
    o.all && '--all',
    o.label.length > 0 && '--label',
  ].filter(Boolean);
  if (given.length !== 1) {
    throw new CliError(
      'invalid',
      given.length === 0
        ? 'name the instances: one or more names, --template <name>, --label key=value or --all'
        : `choose the instances one way: ${given.join(' and ')} were both given`,
    );
  }
  if (names.length > 0) return { names };
  if (o.template !== undefined) return { template: o.template };
  if (o.all) return { all: true };
  return { labels: keyValues(o.label, '--label') };
}

const VERB: Record<BulkAction, string> = {
  start: 'Starting',
  stop: 'Stopping',
  restart: 'Restarting',
  kill: 'Killing',
  rm: 'Removing',
};

/** What the instances of a selector are now: for rm's question, which names exactly what goes. */
async function matching(api: ApiClient, sel: Omit<BulkActionBody, 'action'>): Promise<string[]> {
  if (sel.names) return [...new Set(sel.names)];
  const list = await api.get<InstanceView[]>('/instances', sel.template ? { template: sel.template } : {});
  const labels = Object.entries(sel.labels ?? {});
  return list.filter((i) => labels.every(([k, v]) => i.labels?.[k] === v)).map((i) => i.name);
}

/**
 * rm of more than one asks first on a terminal; elsewhere it needs --yes. The request then names
 * exactly the instances that were listed, so one created meanwhile is not removed unasked.
 */
async function confirmRemoval(
  api: ApiClient,
  sel: Omit<BulkActionBody, 'action'>,
  yes: boolean,
): Promise<Omit<BulkActionBody, 'action'> | null> {
  const names = await matching(api, sel);
  if (names.length <= 1 || yes) return sel.names ? sel : { names };
  if (!canPrompt()) {
    throw new CliError(
      'invalid',
      `refusing to remove ${names.length} instances (${names.join(', ')}) without a confirmation: run on a terminal, or pass --yes`,
      'CONFIRMATION_REQUIRED',
    );
  }
  err(
    `This removes ${names.length} instances, their ports and their data directories:\n  ${names.join('\n  ')}`,
  );
  const answer = await ask(`Remove these ${names.length} instances? [y/N] `);
  return /^y(es)?$/i.test(answer) ? { names } : null;
}

/** One line per instance: its status now, or why the action failed for it. */
export function bulkLines(res: BulkActionResponse): string {
  if (res.results.length === 0) return 'No instance matched.';
  const width = Math.max(...res.results.map((r) => r.name.length));
  const lines = res.results.map((r) => {
    const what = r.ok ? (r.status ?? 'removed') : `failed: ${r.error?.message ?? 'unknown error'}`;
    return `${r.name.padEnd(width)}  ${what}`;
  });
  const tail = res.failed > 0 ? `\n${res.succeeded} done, ${res.failed} failed` : '';
  return `${lines.join('\n')}${tail}`;
}

/** Runs the action on the instances the arguments and flags name; exit 1 if any failed. */
export async function runBulkCommand(
  cmd: Command,
  action: BulkAction,
  names: string[],
  o: SelectorFlags & { json?: boolean; yes?: boolean },
): Promise<void> {
  const api = clientOf(cmd);
  let sel: Omit<BulkActionBody, 'action'> | null = selectorOf(names, o);
  if (action === 'rm') sel = await confirmRemoval(api, sel, Boolean(o.yes));
  if (!sel) {
    err('Nothing removed.');
    process.exitCode = 1;
    return;
  }
  if (sel.names?.length === 0) {
    out(
      o.json
        ? JSON.stringify({ action, results: [], succeeded: 0, failed: 0 }, null, 2)
        : 'No instance matched.',
    );
    return;
  }
  const res = await withProgress(
    `${VERB[action]} ${sel.names ? sel.names.join(', ') : 'instances'}…`,
    api.post<BulkActionResponse>('/instances/actions', { action, ...sel }, { wait: 1 }),
  );
  out(o.json ? JSON.stringify(res, null, 2) : bulkLines(res));
  if (res.failed > 0) process.exitCode = 1;
}
