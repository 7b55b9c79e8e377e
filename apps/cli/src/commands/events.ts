import type { EventView } from '@berth/contracts';
import type { Command } from 'commander';
import { clientOf, out, show } from '../cli-context.js';
import { formatTime } from '../format-units.js';
import { interruptSignal, sseData } from '../sse-reader.js';
import { parseCount, parseSince } from '../time-arg.js';

/** "04:25:34  web-1  status → running  deployed and ready". */
export function eventText(e: EventView): string {
  const to = typeof e.data.to === 'string' ? ` → ${e.data.to}` : '';
  return `${formatTime(e.ts)}  ${e.instanceName ?? '-'}  ${e.type.replace(/^instance\./, '')}${to}  ${e.message}`;
}

export function registerEventCommands(program: Command): void {
  program
    .command('events [name]')
    .description('print what happened (state, health, restarts, ports) with its reason; -f follows')
    .option('-f, --follow', 'keep printing events as they happen (Ctrl-C stops)')
    .option('--since <time>', 'only events since: a duration (5m, 1h) or an ISO time')
    .option('-n, --limit <count>', 'how many recent events (without --since)', '50')
    .option('--json', 'print JSON (one object per line with -f)')
    .action(async (name: string | undefined, opts, cmd: Command) => {
      const api = clientOf(cmd);
      const query = {
        instance: name,
        since: opts.since === undefined ? undefined : parseSince(opts.since),
        limit: parseCount(opts.limit, '--limit') || undefined,
      };
      if (!opts.follow) {
        const events = await api.get<EventView[]>('/events', query);
        show(events, opts.json, (es) => (es.length === 0 ? 'No events.' : es.map(eventText).join('\n')));
        return;
      }
      const signal = interruptSignal();
      try {
        const res = await api.openEventStream('/events', { ...query, follow: 1 }, signal);
        for await (const data of sseData(res)) {
          const e = data as EventView;
          out(opts.json ? JSON.stringify(e) : eventText(e));
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    });
}
