import { useRef, useState } from 'react';
import { api } from '../api/api';
import type { StatsSample } from '../api/types';
import { useResource } from '../hooks/use-resource';
import { formatBytes, formatPercent } from '../lib/format';
import { NotAvailable, Notice } from './notice';
import { Sparkline } from './sparkline';

/** This machine's CPU and memory, refreshed every 5 s, with the sampler's recent history. */
export function HostStatsPanel() {
  const [history, setHistory] = useState<StatsSample[]>([]);
  const newest = useRef<number | undefined>(undefined);
  const host = useResource(
    async () => {
      const since = newest.current === undefined ? undefined : newest.current + 1;
      const stats = await api.hostStats(since);
      const last = stats.history[stats.history.length - 1];
      if (last) {
        newest.current = last.ts;
        setHistory((prev) => [...prev, ...stats.history].slice(-60));
      }
      return stats.latest;
    },
    '',
    5000,
  );
  const h = host.data;
  // the sampler counts 100 % per core; the panel says how much of the whole machine is in use
  const cores = Math.max(1, h?.cpuCount ?? 1);
  return (
    <section className="card" aria-labelledby="host-title">
      <h2 id="host-title">This host</h2>
      {host.notAvailable ? <NotAvailable what="Host CPU and memory" /> : null}
      {host.error ? <Notice tone="error">{host.error}</Notice> : null}
      <dl className="host-stats">
        <div>
          <dt>CPU</dt>
          <dd>
            <strong data-host-cpu>{formatPercent(h ? h.cpuPercent / cores : undefined)}</strong>
            <Sparkline values={history.map((s) => s.cpuPercent / cores)} max={100} label="Host CPU" />
            <span className="muted small">
              {h
                ? `of the whole machine (${h.cpuCount} ${h.cpuCount === 1 ? 'core' : 'cores'}), load ${h.load1.toFixed(2)}`
                : '\u00a0'}
            </span>
          </dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>
            <strong>{formatPercent(h?.memoryPercent)}</strong>
            <Sparkline values={history.map((s) => s.memoryPercent)} max={100} label="Host memory" />
            <span className="muted small">
              {h ? `${formatBytes(h.memoryBytes)} of ${formatBytes(h.memoryTotalBytes)}` : '\u00a0'}
            </span>
          </dd>
        </div>
      </dl>
    </section>
  );
}
