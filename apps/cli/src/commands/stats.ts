import type { HostStatsView, InstanceStatsView, InstanceView } from '@berth/contracts';
import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { clientOf, out } from '../cli-context.js';
import { formatBytes, formatPercent, sparkline } from '../format-units.js';
import { replicaShareLines } from '../replica-shares.js';
import { interruptSignal } from '../sse-reader.js';
import { formatTable } from '../table.js';

const WATCH_MS = 2_000;
const enc = encodeURIComponent;

interface Row {
  name: string;
  stats: InstanceStatsView;
}

async function overview(api: ApiClient) {
  const [host, running] = await Promise.all([
    api.get<HostStatsView>('/host/stats'),
    api.get<InstanceView[]>('/instances', { status: 'running' }),
  ]);
  const rows: Row[] = await Promise.all(
    running.map(async (i) => ({
      name: i.name,
      stats: await api.get<InstanceStatsView>(`/instances/${enc(i.id)}/stats`, { since: Date.now() - 1 }),
    })),
  );
  return { host: host.latest, instances: rows };
}

function hostLine(h: HostStatsView['latest']): string {
  if (!h) return 'host: no sample yet';
  return `host: CPU ${formatPercent(h.cpuPercent)} of ${h.cpuCount} cores  memory ${formatBytes(h.memoryBytes)} of ${formatBytes(h.memoryTotalBytes)} (${formatPercent(h.memoryPercent)})  load ${h.load1.toFixed(2)}`;
}

function overviewText(o: Awaited<ReturnType<typeof overview>>): string {
  const table =
    o.instances.length === 0
      ? 'No running instances.'
      : formatTable(o.instances, [
          { header: 'NAME', value: (r) => r.name },
          // `*`: the sum of the replicas berth can read only (`berth stats <name>` says which are n/a).
          {
            header: 'CPU %',
            value: (r) => `${formatPercent(r.stats.latest?.cpuPercent)}${r.stats.partial ? '*' : ''}`,
          },
          { header: 'MEMORY', value: (r) => formatBytes(r.stats.latest?.memoryBytes) },
          { header: 'MEM %', value: (r) => formatPercent(r.stats.latest?.memoryPercent) },
          { header: 'DISK', value: (r) => formatBytes(r.stats.latest?.diskBytes) },
        ]);
  return `${hostLine(o.host)}\n\n${table}`;
}

function summary(name: string, s: InstanceStatsView): string {
  const l = s.latest;
  if (!l) return s.available ? `${name}: no sample yet (is it running?)` : `${name}: stats n/a — ${s.reason}`;
  const cpu = s.samples.map((x) => x.cpuPercent);
  const mem = s.samples.map((x) => x.memoryBytes);
  const range = (v: number[], f: (n: number) => string) =>
    `min ${f(Math.min(...v))}  avg ${f(v.reduce((a, b) => a + b, 0) / v.length)}  max ${f(Math.max(...v))}`;
  return [
    `${name}  (${s.samples.length} samples, latest ${new Date(l.ts).toLocaleTimeString()})`,
    ...(s.partial ? [`partial: ${s.reason}`] : []),
    `CPU     ${formatPercent(l.cpuPercent).padStart(8)}  ${sparkline(cpu)}  ${range(cpu, formatPercent)}`,
    `memory  ${formatBytes(l.memoryBytes).padStart(8)}  ${sparkline(mem)}  ${range(mem, formatBytes)}  (${formatPercent(l.memoryPercent)} of host)`,
    `disk    ${formatBytes(l.diskBytes).padStart(8)}`,
    ...replicaShareLines(s.replicas),
  ].join('\n');
}

/** Runs `render` once, or every 2 s until Ctrl-C with `watch` (clearing a terminal between). */
async function repeat(watch: boolean, render: () => Promise<string>): Promise<void> {
  if (!watch) return out(await render());
  const signal = interruptSignal();
  while (!signal.aborted) {
    const text = await render();
    out(process.stdout.isTTY ? `\x1b[2J\x1b[H${text}` : `${text}\n`);
    await new Promise<void>((r) => {
      const t = setTimeout(r, WATCH_MS);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        r();
      });
    });
  }
}

export function registerStatsCommands(program: Command): void {
  program
    .command('stats [name]')
    .description('CPU, memory and disk of running instances, or the recent history of one')
    .option('-w, --watch', 'refresh every 2 s (Ctrl-C stops)')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, opts, cmd: Command) => {
      const api = clientOf(cmd);
      await repeat(Boolean(opts.watch), async () => {
        if (!name) {
          const o = await overview(api);
          return opts.json ? JSON.stringify(o) : overviewText(o);
        }
        const s = await api.get<InstanceStatsView>(`/instances/${enc(name)}/stats`);
        return opts.json ? JSON.stringify(s) : summary(name, s);
      });
    });
}
