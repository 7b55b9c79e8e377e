import type { LogLineView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { interruptSignal, sseData } from '../sse-reader.js';
import { parseCount, parseSince } from '../time-arg.js';

const bodyOf = (l: LogLineView) =>
  `${l.replica ? `[${l.replica}] ` : ''}${l.stream === 'stderr' ? `! ${l.line}` : l.line}`;

/** With `--timestamps`, the time it was written first; `~` marks one berth only estimates (it was down). */
const lineText = (timestamps: boolean) => (l: LogLineView) =>
  timestamps ? `${l.approximate ? '~' : ''}${new Date(l.ts).toISOString()} ${bodyOf(l)}` : bodyOf(l);

export function registerLogCommands(program: Command): void {
  program
    .command('logs <name>')
    .description("print an instance's log lines; -f keeps following new ones")
    .option('-f, --follow', 'keep printing lines as they are written (Ctrl-C stops)')
    .option('-n, --tail <lines>', 'how many recent lines', '100')
    .option('--since <time>', 'only lines written since: a duration (5m, 1h) or an ISO time')
    .option(
      '-t, --timestamps',
      'print the time each line was written (~ when estimated: written while berth was down)',
    )
    .option('--json', 'print JSON (one object per line with -f)')
    .action(async (name: string, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const path = `/instances/${encodeURIComponent(name)}/logs` as const;
      const text = lineText(Boolean(opts.timestamps));
      const query = {
        tail: parseCount(opts.tail, '--tail'),
        since: opts.since === undefined ? undefined : parseSince(opts.since),
      };
      if (!opts.follow) {
        const lines = await api.get<LogLineView[]>(path, query);
        show(lines, opts.json, (ls) => ls.map(text).join('\n'));
        return;
      }
      const signal = interruptSignal();
      try {
        const res = await api.openEventStream(path, { ...query, follow: 1 }, signal);
        for await (const data of sseData(res)) {
          const l = data as LogLineView;
          out(opts.json ? JSON.stringify(l) : text(l));
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    });
}
