import { join } from 'node:path';
import type { Command } from 'commander';
import { show } from '../cli-context.js';
import { formatTable } from '../table.js';

interface Recovery {
  file: string;
  damaged: string;
  tables: { table: string; saved: number; lost: number | null; errors: string[] }[];
  saved: number;
  lost: number;
}

function recoveryText(r: Recovery): string {
  const table = formatTable(r.tables, [
    { header: 'TABLE', value: (t) => t.table },
    { header: 'SAVED', value: (t) => String(t.saved) },
    { header: 'LOST', value: (t) => (t.lost === null ? 'unknown (count unreadable)' : String(t.lost)) },
  ]);
  const unknown = r.tables.filter((t) => t.lost === null).map((t) => t.table);
  const verdict =
    r.lost === 0 && unknown.length === 0
      ? 'nothing was lost.'
      : `${r.lost} row(s) lost${unknown.length ? `, and an unknown number from ${unknown.join(', ')}` : ''}.`;
  return [
    `recovered ${r.file}: ${r.saved} row(s) saved; ${verdict}`,
    `the damaged file is kept as ${r.damaged}`,
    table,
  ].join('\n');
}

/** `berth db recover`: offline, on BERTH_HOME's database; berth must not be running on it. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description("berth's own database (offline: stop berth first)");
  db.command('recover')
    .description(
      'copy every readable row of a damaged berth.db into a fresh one; the damaged file is kept as berth.db.corrupt-<time>',
    )
    .option('--home <dir>', 'data directory (BERTH_HOME, default ~/.berth)')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      // Loaded on demand, like `serve`: the API-client commands should start fast.
      const { loadServerConfig } = await import('@berth/server');
      const { recoverDatabase } = await import('@berth/store-sqlite');
      const home = loadServerConfig({ home: opts.home }).home;
      const result = await recoverDatabase(join(home, 'berth.db'));
      show(result, opts.json, recoveryText);
    });
}
