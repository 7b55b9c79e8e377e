import type { CreatedToken, TokenView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { formatTable } from '../table.js';

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').alias('tokens').description('create, list and revoke API tokens');

  token
    .command('create <name>')
    .description('create a token (its secret is shown only now)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const t = await clientOf(cmd).post<CreatedToken>('/tokens', { name });
      show(t, opts.json, (v) => `${v.secret}\n# token ${v.name} (${v.id}); this secret is not shown again`);
    });

  token
    .command('ls')
    .alias('list')
    .description('list tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const rows = await clientOf(cmd).get<TokenView[]>('/tokens');
      show(rows, opts.json, (r) =>
        formatTable(r, [
          { header: 'ID', value: (t) => t.id },
          { header: 'NAME', value: (t) => t.name },
          { header: 'CREATED', value: (t) => when(t.createdAt) },
          { header: 'LAST USED', value: (t) => when(t.lastUsedAt) },
          { header: 'REVOKED', value: (t) => when(t.revokedAt) },
        ]),
      );
    });

  token
    .command('revoke <id>')
    .description('revoke a token')
    .action(async (id: string, _opts, cmd: Command) => {
      await clientOf(cmd).delete(`/tokens/${encodeURIComponent(id)}`);
      out(`revoked ${id}`);
    });
}
