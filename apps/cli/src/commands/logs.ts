import type { LogLineView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, show } from '../cli-context.js';

export function registerLogCommands(program: Command): void {
  program
    .command('logs <name>')
    .description("print an instance's recent log lines")
    .option('-n, --tail <lines>', 'how many lines', '100')
    .option('--since <ms>', 'only lines written at or after this time (epoch ms)')
    .option('--json', 'print JSON')
    .action(async (name: string, opts, cmd: Command) => {
      const lines = await clientOf(cmd).get<LogLineView[]>(`/instances/${encodeURIComponent(name)}/logs`, {
        tail: opts.tail,
        since: opts.since,
      });
      show(lines, opts.json, (ls) =>
        ls.map((l) => (l.stream === 'stderr' ? `! ${l.line}` : l.line)).join('\n'),
      );
    });
}
