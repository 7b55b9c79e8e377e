import type { VersionView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, show } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { CLI_VERSION } from '../version.js';

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description("print the CLI's version and the server's")
    .option('--json', 'print JSON')
    .action(async (opts, cmd: Command) => {
      const server = await clientOf(cmd)
        .get<VersionView>('/version')
        .catch((e: unknown) => (e instanceof CliError ? `unavailable (${e.message})` : 'unavailable'));
      const data = { cli: CLI_VERSION, server: typeof server === 'string' ? server : server.version };
      show(data, opts.json, (d) => `berth ${d.cli}\nserver ${d.server}`);
    });
}
