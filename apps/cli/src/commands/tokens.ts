import type { CreatedToken, TokenView } from '@berth/contracts';
import { type Command, Option } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { formatTable } from '../table.js';

/** What each role may do, for `--help`; the server enforces it on every route. */
const ROLE_HELP = `
Roles (each may do what the one above it may):
  metrics  only GET /metrics (a Prometheus scrape), nothing else
  read     every GET: instances, templates, ports, logs, events, stats
  operate  read, and start, stop, restart and kill instances
  admin    everything: templates (which run any command on this machine), creating and
           removing instances, nodes, integrations, builds and tokens

Example:
  berth token create grafana --role read
  berth token create prometheus --role metrics`;

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export function registerTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .alias('tokens')
    .description('create, list and revoke API tokens (roles: metrics, read, operate, admin)');

  token
    .command('create <name>')
    .description('create a token with a role (its secret is shown only now)')
    .addOption(
      new Option('--role <role>', 'what the token may do: metrics, read, operate or admin (see below)')
        .choices(['metrics', 'read', 'operate', 'admin'])
        .default('read'),
    )
    .option('--json', 'print JSON')
    .addHelpText('after', ROLE_HELP)
    .action(async (name: string, opts, cmd: Command) => {
      const t = await clientOf(cmd).post<CreatedToken>('/tokens', { name, role: opts.role });
      show(
        t,
        opts.json,
        (v) => `${v.secret}\n# token ${v.name} (${v.id}), role ${v.role}; this secret is not shown again`,
      );
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
          { header: 'ROLE', value: (t) => t.role },
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
